// VALID_EXTEN and DIALPLAN_EXISTS against a small Dialplan.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dialplan } from '../../../src/pbx/dialplan.js';
import { DIALPLAN_EXISTS } from '../../../src/pbx/funcs/dialplan-exists.js';
import { VALID_EXTEN } from '../../../src/pbx/funcs/valid-exten.js';
import { FakeChannel, makeServices, read } from './fake-channel.js';

function setup(): { channel: FakeChannel; services: ReturnType<typeof makeServices> } {
  const dp = new Dialplan();
  const p = (priority: number, label: string | null) => ({ priority, label, app: 'NoOp', appData: '', file: 't', line: priority });
  dp.addPriority('internal', '6001', null, p(1, null));
  dp.addPriority('internal', '6001', null, p(2, 'vm'));
  dp.addPriority('internal', '_7XX', null, p(1, null));
  dp.seal();
  const services = { ...makeServices(), dialplan: () => dp };
  const channel = new FakeChannel();
  channel.context = 'internal';
  return { channel, services };
}

test('VALID_EXTEN', () => {
  const c = setup();
  assert.equal(read(VALID_EXTEN, 'internal,6001', c), '1');
  assert.equal(read(VALID_EXTEN, ',6001,2', c), '1');
  assert.equal(read(VALID_EXTEN, ',6001,3', c), '0');
  assert.equal(read(VALID_EXTEN, ',6001,vm', c), '1');
  assert.equal(read(VALID_EXTEN, ',6001,nolabel', c), '0');
  assert.equal(read(VALID_EXTEN, ',712', c), '1');
  assert.equal(read(VALID_EXTEN, ',812', c), '0');
  assert.equal(read(VALID_EXTEN, 'other,6001', c), '0');
  assert.throws(() => read(VALID_EXTEN, 'internal', c), /Syntax/);
});

test('DIALPLAN_EXISTS', () => {
  const c = setup();
  assert.equal(read(DIALPLAN_EXISTS, 'internal', c), '1');
  assert.equal(read(DIALPLAN_EXISTS, 'nowhere', c), '0');
  assert.equal(read(DIALPLAN_EXISTS, 'internal,6001,2', c), '1');
  assert.equal(read(DIALPLAN_EXISTS, 'internal,6002', c), '0');
});
