// test/fixtures/expr/substitution.tsv (Asterisk's test_substitution / test_variable_substrings)
// through the engine's substitute() with the built-in functions of src/pbx/funcs. Rows that need
// functions herald does not have (CDR, SHELL) are listed and skipped.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createBuiltinRegistry } from '../../../src/pbx/funcs/index.js';
import { substitute } from '../../../src/pbx/substitute.js';
import { fixture } from '../../helpers/paths.js';
import { FakeChannel, makeServices } from '../funcs/fake-channel.js';

interface Row {
  setup: string;
  input: string;
  expected: string;
}

const rows: Row[] = readFileSync(fixture('expr', 'substitution.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter((l) => l.trim() !== '')
  .map((l) => {
    const [setup = '', input = '', expected = ''] = l.split('\t');
    return { setup, input, expected };
  });

/** CDR and SHELL are not dialplan functions herald provides. */
const NEEDS_MISSING_FUNCTION = /\b(CDR|SHELL)\(/;

test('the fixture has 37 rows', () => {
  assert.equal(rows.length, 37);
  assert.equal(rows.filter((r) => NEEDS_MISSING_FUNCTION.test(r.setup + r.input)).length, 4);
});

for (const [i, row] of rows.entries()) {
  const skip = NEEDS_MISSING_FUNCTION.test(row.setup + row.input) ? 'needs CDR()/SHELL()' : false;
  test(`substitution ${i + 1}: [${row.setup}] ${row.input} → ${JSON.stringify(row.expected)}`, { skip }, async () => {
    const services = makeServices();
    const functions = createBuiltinRegistry();
    const chan = new FakeChannel();
    const setup = row.setup.replace(/^Set\((.*)\)$/, '$1');
    for (const assignment of setup.split(';')) {
      const eq = assignment.indexOf('=');
      const name = assignment.slice(0, eq);
      const value = assignment.slice(eq + 1);
      const open = name.indexOf('(');
      if (name.endsWith(')') && open > 0) {
        const fn = functions.get(name.slice(0, open));
        assert.ok(fn?.write, name);
        await fn.write({ name: name.slice(0, open), args: name.slice(open + 1, -1), channel: chan, services }, value);
      } else {
        chan.setVar(name, value);
      }
    }
    assert.equal(substitute(row.input, chan, services, functions), row.expected);
  });
}
