/**
 * Replays the AMI edge-case session of the Asterisk 20 capture (test/fixtures/state/ami-misc.txt):
 * Setvar/Getvar of PRESENCE_STATE, DEVICE_STATE, HINT and EXTENSION_STATE, the PresenceState and
 * ExtensionState actions and `Command: core show hints`. A minimal AMI shim over the state
 * engines answers each action; its responses must equal the captured ones header for header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { extensionStateText } from '../../src/state/extension-state.js';
import { splitExtenContext } from '../../src/state/hint-functions.js';
import { fixture } from '../helpers/paths.js';
import { captureHints, makeHarness, type Harness } from './harness.js';

type Headers = Array<[string, string]>;

interface Block {
  direction: 'SENT' | 'RECV';
  headers: Headers;
}

function readBlocks(): Block[] {
  const text = readFileSync(fixture('state', 'ami-misc.txt'), 'utf8');
  const blocks: Block[] = [];
  let current: Block | null = null;
  for (const line of text.split('\n')) {
    const marker = /^===== (SENT|RECV)/.exec(line);
    if (marker) {
      current = { direction: marker[1] as 'SENT' | 'RECV', headers: [] };
      blocks.push(current);
      continue;
    }
    if (line === '' || current === null) {
      current = null;
      continue;
    }
    const colon = line.indexOf(': ');
    if (colon > 0) current.headers.push([line.slice(0, colon), line.slice(colon + 2)]);
    else if (line.endsWith(':')) current.headers.push([line.slice(0, -1), '']);
  }
  return blocks;
}

function header(h: Headers, name: string): string | undefined {
  return h.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

/** What herald's AMI will answer, built from the state engines the way reference §2/§5 describes. */
async function answer(h: Harness, req: Headers): Promise<Headers | null> {
  const action = header(req, 'Action') ?? '';
  const id: Headers = [['ActionID', header(req, 'ActionID') ?? '']];
  const ok = (...rest: Headers): Headers => [['Response', 'Success'], ...id, ...rest];
  const error = (message: string): Headers => [['Response', 'Error'], ...id, ['Message', message]];
  switch (action) {
    case 'PresenceState': {
      const provider = header(req, 'Provider');
      if (!provider) return error('No provider specified');
      const info = h.state.presence.get(provider);
      if (info.state === '') return error(`Invalid provider ${provider} or provider in invalid state`);
      const out = ok(['Message', 'Presence State'], ['State', info.state]);
      if (info.subtype !== '') out.push(['Subtype', info.subtype]);
      if (info.message !== '') out.push(['Message', info.message], ['PresenceMessage', info.message]);
      return out;
    }
    case 'Setvar': {
      try {
        await h.write(header(req, 'Variable') ?? '', header(req, 'Value') ?? '');
        return ok(['Message', 'Variable Set']);
      } catch {
        return error('Variable not set');
      }
    }
    case 'Getvar': {
      const variable = header(req, 'Variable') ?? '';
      let value: string;
      try {
        value = h.read(variable);
      } catch {
        // A failed function read leaves the value empty.
        value = '';
      }
      return ok(['Variable', variable], ['Value', value]);
    }
    case 'ExtensionState': {
      const exten = header(req, 'Exten') ?? '';
      const context = header(req, 'Context') ?? 'default';
      const state = h.state.hints.extensionState(context, exten);
      return ok(
        ['Message', 'Extension Status'],
        ['Exten', exten],
        ['Context', context],
        ['Hint', h.state.hints.hintText(context, exten)],
        ['Status', String(state)],
        ['StatusText', extensionStateText(state)],
      );
    }
    case 'Command': {
      if (header(req, 'Command') !== 'core show hints') return null;
      const r = await h.run('core show hints');
      // AMI trims one trailing newline and sends each line as an Output header.
      const lines = r.output.replace(/\n$/, '').split('\n');
      return ok(['Message', 'Command output follows'], ...lines.map((l): [string, string] => ['Output', l]));
    }
    default:
      return null;
  }
}

test('the AMI capture: PRESENCE_STATE/DEVICE_STATE/HINT/EXTENSION_STATE and the state actions', async () => {
  const blocks = readBlocks();
  const h = makeHarness();
  h.state.devices.registerProvider('SIP', (peer) => (peer === '6002' || peer === '2000' ? 'UNAVAILABLE' : 'INVALID'));
  h.state.hints.setHints(captureHints());
  let compared = 0;
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    if (block.direction !== 'SENT') continue;
    const got = await answer(h, block.headers);
    if (got === null) continue;
    const wantId = header(block.headers, 'ActionID');
    const reply = blocks.slice(i + 1).find((b) => b.direction === 'RECV' && header(b.headers, 'ActionID') === wantId);
    assert.ok(reply, `a reply to ${wantId}`);
    assert.deepEqual(got, reply.headers, `${header(block.headers, 'Action')} ${wantId}`);
    compared++;
  }
  assert.equal(compared, 24);
  assert.equal(splitExtenContext('6002@from-internal').context, 'from-internal');
});
