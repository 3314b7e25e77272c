import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, ChannelIds, ChannelRegistry } from '../../../src/channels/channel.js';

test('variable names are case-sensitive; prefixed names are found by their bare name only', () => {
  const c = new Channel({ name: 'SIP/2000-0000000a', uniqueid: '1.0' });
  c.setVar('foo', '1');
  assert.equal(c.getVar('FOO'), undefined);
  c.setVar('__INH', 'x');
  assert.equal(c.getVar('INH'), 'x');
  assert.equal(c.getVar('__INH'), undefined);
  c.setVar('INH', 'y');
  assert.deepEqual(c.listVars(), [['foo', '1'], ['INH', 'y']]);
  c.setVar('foo', undefined);
  assert.equal(c.getVar('foo'), undefined);
});

test('inheritance: _X one level (prefix stripped), __X forever, plain not at all', () => {
  const parent = new Channel({ name: 'SIP/1-00000001', uniqueid: '1.0' });
  parent.setVar('_ONE', '1');
  parent.setVar('__ALL', '2');
  parent.setVar('PLAIN', '3');
  const child = new Channel({ name: 'SIP/2-00000002', uniqueid: '1.1' }).inherit(parent);
  assert.deepEqual(child.listVars(), [['ONE', '1'], ['__ALL', '2']]);
  assert.equal(child.linkedid, parent.linkedid);
  const grandchild = new Channel({ name: 'SIP/3-00000003', uniqueid: '1.2' }).inherit(child);
  assert.deepEqual(grandchild.listVars(), [['__ALL', '2']]);
});

test('ids, hangup request and the registry', () => {
  const ids = new ChannelIds();
  assert.equal(ids.nextName('SIM', '555'), 'SIM/555-00000001');
  assert.equal(ids.nextName('SIP', '2000'), 'SIP/2000-00000002');
  assert.equal(ids.nextUniqueId(1767268800.7), '1767268800.0');
  const c = new Channel({ name: 'SIM/555-00000001', uniqueid: '1.0' });
  let heard = 0;
  c.onHangup(() => heard++);
  c.requestHangup(17);
  c.requestHangup(16);
  assert.equal(c.hungUp, true);
  assert.equal(c.hangupCause, 17);
  assert.equal(heard, 1);
  const reg = new ChannelRegistry();
  reg.add(c);
  assert.equal(reg.get('SIM/555-00000001'), c);
  assert.equal(reg.list().length, 1);
  assert.equal(reg.activeCalls(), 1);
  assert.ok(reg.remove(c));
  assert.equal(reg.callsProcessed(), 1);
});
