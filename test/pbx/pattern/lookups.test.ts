/**
 * Every row of test/fixtures/patterns/lookups.tsv, run through the real loader and lookups.
 * The tsv describes each dialplan informally; the equivalent extensions.conf text is written
 * here once per scenario, and the expected entry is read from the row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixture } from '../../helpers/paths.js';
import { parseConfText } from '../../../src/config/lexer.js';
import { loadDialplan } from '../../../src/pbx/loader.js';
import type { Dialplan } from '../../../src/pbx/dialplan.js';
import type { FoundPriority } from '../../../src/pbx/model.js';
import { formatDialplanShow } from '../../../src/pbx/show.js';

function load(text: string): Dialplan {
  const dp = loadDialplan(parseConfText(text, 'extensions.conf'));
  assert.deepEqual(dp.warnings, [], 'scenario dialplan loads without warnings');
  return dp;
}

const TEST_PBX = `
[test_pattern]
exten => _2.,1,Noop
exten => 2000,1,Noop
include => test_pattern_include
[test_pattern_include]
exten => 2000,2,Noop
`;
const DOC_ORDER = `
[users]
exten => _6XX1,1,SayAlpha(A)
exten => _64XX,1,SayAlpha(B)
exten => _640X,1,SayAlpha(C)
exten => _6.,1,SayAlpha(D)
exten => _64NX,1,SayAlpha(E)
exten => _6[45]NX,1,SayAlpha(F)
exten => _6[34]NX,1,SayAlpha(G)
`;
const DOC_FALLTHROUGH = `
[users]
exten => 6410,1,SayDigits(987)
exten => _641X,1,SayDigits(12345)
exten => _641X,n,SayDigits(54321)
`;
const DOC_CID = `
[users]
exten => 306,1,NoOp()
same => n,Background(goodbye)
same => n,Hangup()
exten => 306/_101,1,NoOp()
same => n,Background(year)
same => n,Hangup()
exten => 306/_102,1,NoOp()
same => n,Background(beep)
same => n,Hangup()
`;
const DOC_CID_REWRITE = `
[unexpected-jump-test]
exten => s/_1XX,1,Set(CALLERID(num)=200)
same => 2,Hangup()
exten => s/_2XX,1,SayDigits(1)
same => 2,SayDigits(2)
same => 3,SayDigits(3)
same => 4,SayDigits(4)
`;
const TS_CID: Record<string, string> = {
  'ts-cid-1': 'exten => agi1/2565550101,1,AGI(x)\nexten => agi1,1,Hangup()',
  'ts-cid-2': 'exten => agi2/2565550299,1,Hangup()\nexten => agi2,1,AGI(x)',
  'ts-cid-3': 'exten => agi3/,1,AGI(x)\nexten => agi3,1,Hangup()',
  'ts-cid-4': 'exten => agi4,1,AGI(x)\nexten => agi4/,1,Hangup()',
  'ts-cid-5': 'exten => agi5,1,Hangup()\nexten => agi5/,1,AGI(x)',
  'ts-cid-6': 'exten => agi6,1,Hangup()\nexten => agi6/,1,Hangup()\nexten => agi6/2565550606,1,AGI(x)',
  'ts-cid-7': 'exten => agi7,1,Hangup()\nexten => agi7/,1,Hangup()\nexten => agi7/1,1,Hangup()\nexten => agi7/12,1,AGI(x)\nexten => agi7/123,1,Hangup()',
};
const TS_CID_CALLER: Record<string, string | null> = {
  'ts-cid-1': '2565550101',
  'ts-cid-2': '2565550202',
  'ts-cid-3': null,
  'ts-cid-4': '2565550404',
  'ts-cid-5': '',
  'ts-cid-6': '2565550606',
  'ts-cid-7': '12',
};

function label(f: FoundPriority | null): string {
  if (!f) return '<none>';
  return f.extension.cidMatch !== null ? `${f.extension.name}/${f.extension.cidMatch}` : f.extension.name;
}

/** Runs one scenario; returns the entry found, its context and the app it runs. */
function run(scenario: string): { entry: string; context: string; app: string } | 'custom-ok' {
  const one = (dp: Dialplan, ctx: string, exten: string, prio: number, cid: string | null) => {
    const f = dp.findPriority(ctx, exten, prio, cid);
    return { entry: label(f), context: f?.context.name ?? '', app: f ? `${f.priority.app}(${f.priority.appData})` : '' };
  };
  switch (scenario) {
    case 'test_pbx-1': {
      const dp = load(TEST_PBX);
      assert.equal(dp.canMatch('test_pattern', '200', null), true);
      return one(dp, 'test_pattern', '200', 1, null);
    }
    case 'test_pbx-2':
      return one(load(TEST_PBX), 'test_pattern', '2000', 1, null);
    case 'test_pbx-3':
      return one(load(TEST_PBX), 'test_pattern', '2000', 2, null);
    case 'test_pbx-4':
      return one(load(TEST_PBX), 'test_pattern_include', '2000', 2, null);
    case 'doc-order': {
      const dp = load(DOC_ORDER);
      const users = dp.contexts.get('users');
      assert.deepEqual(users?.extensions.map((e) => e.name), ['_640X', '_64NX', '_64XX', '_6[34]NX', '_6[45]NX', '_6XX1', '_6.']);
      // `dialplan show 6421@users` lists the matching extensions in lookup order.
      const shown = formatDialplanShow(dp, '6421@users')
        .split('\n')
        .filter((l) => /^ {2}'/.test(l))
        .map((l) => /'([^']+)'/.exec(l)?.[1]);
      assert.deepEqual(shown, ['_64NX', '_64XX', '_6[34]NX', '_6[45]NX', '_6XX1', '_6.']);
      return one(dp, 'users', '6421', 1, null);
    }
    case 'doc-fallthrough-1':
      return one(load(DOC_FALLTHROUGH), 'users', '6410', 1, null);
    case 'doc-fallthrough-2':
      return one(load(DOC_FALLTHROUGH), 'users', '6410', 2, null);
    case 'doc-cid-101':
      return one(load(DOC_CID), 'users', '306', 1, '101');
    case 'doc-cid-102':
      return one(load(DOC_CID), 'users', '306', 1, '102');
    case 'doc-cid-103':
      return one(load(DOC_CID), 'users', '306', 1, '103');
    case 'doc-cid-rewrite': {
      const dp = load(DOC_CID_REWRITE);
      const ctx = 'unexpected-jump-test';
      assert.equal(one(dp, ctx, 's', 1, '100').app, 'Set(CALLERID(num)=200)');
      // Priority 1 changed the caller number to 200: every later step looks up again with it.
      assert.deepEqual(one(dp, ctx, 's', 2, '200'), { entry: 's/_2XX', context: ctx, app: 'SayDigits(2)' });
      assert.equal(one(dp, ctx, 's', 3, '200').app, 'SayDigits(3)');
      assert.equal(one(dp, ctx, 's', 4, '200').app, 'SayDigits(4)');
      assert.equal(one(dp, ctx, 's', 2, '100').app, 'Hangup()');
      return 'custom-ok';
    }
    default: {
      const conf = TS_CID[scenario];
      if (conf === undefined) throw new Error(`scenario ${scenario} is not covered by this test`);
      const dp = load(`[test]\n${conf}\n`);
      const r = one(dp, 'test', scenario.replace('ts-cid-', 'agi'), 1, TS_CID_CALLER[scenario] ?? null);
      assert.equal(r.app, 'AGI(x)', `${scenario}: the entry that runs AGI is chosen`);
      return r;
    }
  }
}

test('lookups.tsv: every scenario finds the expected entry', () => {
  const lines = readFileSync(fixture('patterns', 'lookups.tsv'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const rows = lines.slice(1).map((l) => l.split('\t'));
  assert.equal(rows.length, 18);
  for (const [scenario, , , expected] of rows) {
    const got = run(scenario);
    if (got === 'custom-ok') continue;
    const want = expected.split(' ')[0];
    assert.equal(got.entry, want, `${scenario}: entry`);
    const ctx = /\(context ([^)]+)\)/.exec(expected);
    if (ctx) assert.equal(got.context, ctx[1], `${scenario}: context`);
    const app = /(Say\w+\([^)]*\))/.exec(expected);
    if (app) assert.equal(got.app, app[1], `${scenario}: application`);
  }
});
