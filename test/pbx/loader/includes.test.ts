/** Includes: order, depth-first search, loops, time specs checked at lookup time; '!' finality. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfText } from '../../../src/config/lexer.js';
import { loadDialplan } from '../../../src/pbx/loader.js';
import type { Dialplan } from '../../../src/pbx/dialplan.js';
import { compileTimeSpec, matchTimeSpec, splitTimeSpec } from '../../../src/pbx/include-time.js';

function load(text: string, now: () => Date = () => new Date(2026, 0, 5, 10, 0)): Dialplan {
  return loadDialplan(parseConfText(text, 'extensions.conf'), { now });
}

test('time spec matcher: ranges, wrap past midnight, names and numbers, lists, tz', () => {
  // 2026-01-05 is a Monday.
  const mon1000 = new Date(2026, 0, 5, 10, 0);
  const sat1000 = new Date(2026, 0, 10, 10, 0);
  const spec = (s: string) => splitTimeSpec(s);
  assert.equal(matchTimeSpec(spec('9:00-17:00,mon-fri,*,*'), mon1000), true);
  assert.equal(matchTimeSpec(spec('9:00-17:00,mon-fri,*,*'), sat1000), false);
  assert.equal(matchTimeSpec(spec('9:00-17:00,mon-fri,*,*'), new Date(2026, 0, 5, 17, 0)), true, 'end minute inclusive');
  assert.equal(matchTimeSpec(spec('9:00-17:00,mon-fri,*,*'), new Date(2026, 0, 5, 17, 1)), false);
  assert.equal(matchTimeSpec(spec('17:02-8:58,*,*,*'), new Date(2026, 0, 5, 23, 30)), true, 'wraps past midnight');
  assert.equal(matchTimeSpec(spec('17:02-8:58,*,*,*'), new Date(2026, 0, 5, 3, 0)), true);
  assert.equal(matchTimeSpec(spec('17:02-8:58,*,*,*'), new Date(2026, 0, 5, 12, 0)), false);
  assert.equal(matchTimeSpec(spec('10:00,*,*,*'), mon1000), true, 'a single HH:MM is that minute');
  assert.equal(matchTimeSpec(spec('10:00,*,*,*'), new Date(2026, 0, 5, 10, 1)), false);
  assert.equal(matchTimeSpec(spec('8:00-9:00&10:00-11:00,*,*,*'), mon1000), true, '& joins ranges');
  assert.equal(matchTimeSpec(spec('*,fri-mon,*,*'), mon1000), true, 'weekday ranges wrap');
  assert.equal(matchTimeSpec(spec('*,fri-mon,*,*'), new Date(2026, 0, 6, 10, 0)), false);
  assert.equal(matchTimeSpec(spec('*,2,*,*'), mon1000), true, 'weekday 1 = sun, 2 = mon');
  assert.equal(matchTimeSpec(spec('*,SAT&Mon,*,*'), mon1000), true, 'names in any case, & lists');
  assert.equal(matchTimeSpec(spec('*,*,1-5,jan'), mon1000), true);
  assert.equal(matchTimeSpec(spec('*,*,6-31,*'), mon1000), false);
  assert.equal(matchTimeSpec(spec('*,*,*,dec-feb'), mon1000), true, 'month ranges wrap');
  assert.equal(matchTimeSpec(spec('*,*,*,2-11'), mon1000), false);
  assert.equal(matchTimeSpec(spec('*|mon|*|*'), mon1000), true, "legacy '|' separators");
  assert.equal(matchTimeSpec(spec('*'), mon1000), true, 'missing fields mean all');
  const utc = new Date(Date.UTC(2026, 0, 5, 23, 30));
  assert.equal(matchTimeSpec(spec('23:00-23:59,mon,*,*,UTC'), utc), true);
  assert.equal(matchTimeSpec(spec('0:00-0:59,tue,*,*,Europe/Paris'), utc), true, 'read in the given zone');
  assert.equal(splitTimeSpec('*|*|*|*|UTC').tz, null, "a zone only as the fifth of five ','-separated fields");
  assert.equal(splitTimeSpec('*,*,*,*,Europe/Paris,x').tz, null);
  assert.equal(splitTimeSpec('*|*,*,*,*,UTC').tz, 'UTC');
  const bad = compileTimeSpec(spec('25:00-26:00,funday,*,*,Mars/Base'));
  assert.equal(bad.warnings.length, 3);
  assert.equal(matchTimeSpec(bad, mon1000), false, 'an unparsable time range matches nothing');
});

test('includes are searched in order, depth-first, after the context own extensions', () => {
  const dp = load(`[top]
include => a
include => b
exten => _X.,1,NoOp(top pattern)
[a]
include => a2
exten => 100,1,NoOp(a)
[a2]
exten => 200,1,NoOp(a2)
[b]
exten => 200,1,NoOp(b)
exten => 300,1,NoOp(b)
`);
  assert.deepEqual(dp.warnings, []);
  assert.equal(dp.findPriority('top', '200', 1, null)?.priority.appData, 'top pattern', 'own patterns beat included literals');
  assert.equal(dp.findPriority('top', '200', 1, null)?.context.name, 'top');
  assert.equal(dp.findPriority('a', '200', 1, null)?.context.name, 'a2');
  assert.equal(dp.findPriority('top', '*', 1, null), null);
  assert.equal(dp.findExtension('a', '300', null), null);
});

test('include loops are bounded and each context is searched once', () => {
  const dp = load(`[x]
include => y
exten => 1,1,NoOp(x)
[y]
include => x
include => y
include => z
[z]
exten => 2,1,NoOp(z)
`);
  assert.equal(dp.findPriority('x', '2', 1, null)?.context.name, 'z');
  assert.equal(dp.findPriority('y', '1', 1, null)?.context.name, 'x');
  assert.equal(dp.findPriority('x', '3', 1, null), null);
  assert.equal(dp.canMatch('y', '', null), true);
  // A long chain well past the depth limit still terminates.
  const chain = Array.from({ length: 600 }, (_, i) => `[c${i}]\ninclude => c${i + 1}\n`).join('') + '[c600]\nexten => 9,1,NoOp(end)\n';
  const deep = load(chain);
  assert.equal(deep.findPriority('c0', '9', 1, null), null, 'beyond 512 levels the lookup gives up');
  assert.equal(deep.findPriority('c100', '9', 1, null)?.context.name, 'c600');
});

test('include time specs are checked at lookup time with the injected clock', () => {
  let now = new Date(2026, 0, 5, 10, 0); // Monday 10:00
  const dp = load(
    `[incoming]
include => daytime,9:00-17:00,mon-fri,*,*
include => nighttime|17:01-8:59|*|*|*
include => fallback
[daytime]
exten => s,1,NoOp(day)
[nighttime]
exten => s,1,NoOp(night)
[fallback]
exten => s,1,NoOp(weekend)
`,
    () => now,
  );
  assert.equal(dp.warnings.length, 1);
  assert.equal(dp.warnings[0].line, 3);
  assert.match(dp.warnings[0].message, /old '\|' separator/);
  const inc = dp.contexts.get('incoming')?.includes ?? [];
  assert.deepEqual(
    inc.map((i) => [i.context, i.timeSpec?.raw ?? null]),
    [
      ['daytime', '9:00-17:00,mon-fri,*,*'],
      ['nighttime', '17:01-8:59|*|*|*'],
      ['fallback', null],
    ],
  );
  const who = (): string | undefined => dp.findPriority('incoming', 's', 1, null)?.priority.appData;
  assert.equal(who(), 'day');
  now = new Date(2026, 0, 5, 20, 0);
  assert.equal(who(), 'night');
  now = new Date(2026, 0, 10, 12, 0); // Saturday noon
  assert.equal(who(), 'weekend');
});

test("MATCHMORE reaching a '!' extension is a final no, even when an include could match more", () => {
  const dp = load(`[c]
exten => _9!,1,NoOp(overlap)
include => d
[d]
exten => 9123,1,NoOp(d)
[e]
exten => 9123,1,NoOp(e)
`);
  assert.equal(dp.matchMore('c', '9', null), false);
  assert.equal(dp.canMatch('c', '9', null), true);
  assert.equal(dp.exists('c', '91', null), true);
  assert.equal(dp.matchMore('d', '9', null), true);
  assert.equal(dp.matchMore('e', '9123', null), false);
  assert.equal(dp.canMatch('e', '9124', null), false);
});
