import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixture } from '../../helpers/paths.js';
import { makeBench } from './harness.js';
import { setVariable } from '../../../src/pbx/apps/set.js';
import { substitute, substring } from '../../../src/pbx/substitute.js';
import { Channel } from '../../../src/channels/channel.js';

interface Vector {
  setup: string;
  input: string;
  expected: string;
  source: string;
}

function vectors(): Vector[] {
  const rows = readFileSync(fixture('substitution', 'substitution.tsv'), 'utf8').split('\n').slice(1);
  return rows.filter((r) => r.trim() !== '').map((r) => {
    const [setup = '', input = '', expected = '', source = ''] = r.split('\t');
    return { setup, input, expected, source };
  });
}

/** Function names a vector uses (in its setup or input). */
function usedFunctions(v: Vector): string[] {
  return [...`${v.setup} ${v.input}`.matchAll(/([A-Z_]+)\(/g)].map((m) => m[1]!).filter((n) => n !== 'Set' && !n.includes('DOES_NOT_EXIST'));
}

for (const v of vectors()) {
  test(`substitution vector ${v.input} (${v.setup})`, async (t) => {
    const b = makeBench('[t]\nexten => 1,1,NoOp()\n');
    const missing = usedFunctions(v).filter((n) => !b.engine.functions.get(n));
    if (missing.length > 0) {
      t.skip(`needs dialplan functions not registered here: ${missing.join(', ')}`);
      return;
    }
    const chan = new Channel({ name: 'SIM/1-00000001', uniqueid: '1.0' });
    const set = /^Set\((.*)\)$/.exec(v.setup);
    if (set) {
      const eq = set[1]!.indexOf('=');
      await setVariable(chan, b.services, set[1]!.slice(0, eq), set[1]!.slice(eq + 1));
    } else {
      for (const pair of v.setup.split(';')) {
        const eq = pair.indexOf('=');
        if (eq > 0) await setVariable(chan, b.services, pair.slice(0, eq), pair.slice(eq + 1));
      }
    }
    assert.equal(b.engine.substitute(v.input, chan), v.expected);
  });
}

test('substring rules (§2.2)', () => {
  const v = '918005551234';
  assert.equal(substring(v, 1, null), '18005551234');
  assert.equal(substring(v, -4, null), '1234');
  assert.equal(substring(v, 5, 3), '555');
  assert.equal(substring(v, -7, 3), '555');
  assert.equal(substring('1234#', 0, -1), '1234');
  assert.equal(substring('abc', 5, null), '');
  assert.equal(substring('abc', -10, 2), 'ab');
  assert.equal(substring('abc', 1, -5), '');
});

test('built-ins shadow channel variables, channel variables shadow globals, single pass, quirks', () => {
  const b = makeBench('[t]\nexten => 1,1,NoOp()\n');
  const chan = new Channel({ name: 'SIM/1-00000001', uniqueid: '99.1', context: 'ctx', exten: '918005551234', priority: 3 });
  chan.setVar('EXTEN', 'fake');
  chan.setVar('V', 'chan');
  chan.setVar('LIT', '${V}');
  b.services.globals.set('V', 'global');
  b.services.globals.set('G', 'gonly');
  const s = (t: string): string => b.engine.substitute(t, chan);
  assert.equal(s('${EXTEN}|${CONTEXT}|${PRIORITY}|${CHANNEL}|${UNIQUEID}|${HANGUPCAUSE}'), '918005551234|ctx|3|SIM/1-00000001|99.1|0');
  assert.equal(s('${V}|${G}'), 'chan|gonly');
  assert.equal(s('${LIT}'), '${V}');
  assert.equal(s('${EXTEN:1}|${EXTEN:-4}|${EXTEN:5:3}|${EXTEN::3}|${EXTEN:a}|${EXTEN:2:}'), '18005551234|1234|555|918005551234|918005551234|8005551234');
  assert.equal(s('cost $5 and $ alone'), 'cost $5 and $ alone');
  assert.equal(s('\\${V}'), '\\chan');
  assert.equal(s('${NOPE}x'), 'x');
  assert.equal(s('$[1 + ${PRIORITY}]'), '4');
  assert.equal(s('${EXTEN:${PRIORITY}}'), '005551234');
  assert.equal(s('$[${CALLERID(num)}1 + 1]'), '2');
  assert.match(s('${EPOCH}'), /^\d{10}$/);
  assert.equal(substitute('plain text', chan, b.services, b.engine.functions), 'plain text');
  // A missing brace keeps going to the end of the string and warns.
  assert.equal(s('a${V'), 'achan');
});

test('deep nesting is bounded and hostile input does not throw', () => {
  const b = makeBench('[t]\nexten => 1,1,NoOp()\n');
  const chan = new Channel({ name: 'SIM/1-00000001', uniqueid: '1.0' });
  const deep = '${'.repeat(5000) + 'X' + '}'.repeat(5000);
  assert.equal(typeof b.engine.substitute(deep, chan), 'string');
  assert.equal(typeof b.engine.substitute('$['.repeat(3000), chan), 'string');
});
