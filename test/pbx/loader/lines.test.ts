/** Line-level rules of the loader: priorities, labels, applications, bad lines, sections. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfText } from '../../../src/config/lexer.js';
import type { ConfDocument } from '../../../src/config/types.js';
import { loadDialplan, parseApplication, shrinkPhoneNumber, splitOutsideBrackets } from '../../../src/pbx/loader.js';
import type { Dialplan } from '../../../src/pbx/dialplan.js';

function load(text: string): Dialplan {
  return loadDialplan(parseConfText(text, '/etc/herald/extensions.conf'));
}

function prios(dp: Dialplan, ctx: string, ext: string, cid: string | null = null): string[] {
  const e = dp.contexts.get(ctx)?.extensions.find((x) => x.name === ext && x.cidMatch === cid);
  assert.ok(e, `${ext}@${ctx} exists`);
  return e.priorities.map((p) => `${p.priority}${p.label ? `(${p.label})` : ''} ${p.app}(${p.appData})`);
}

test('priority forms: numbers, n/next, s/same, +N, labels on numbered and n priorities, label as priority', () => {
  const dp = load(`[c]
exten => 100,1(start),NoOp(a)
exten => 100,n,NoOp(b)
exten => 100,next(third),NoOp(c)
exten => 100,n+2,NoOp(d)
exten => 100,s+1,NoOp(e)
exten => 100,start+10,NoOp(f)
same => same+1,NoOp(g)
exten => 100,20,NoOp(h)
`);
  assert.deepEqual(dp.warnings, []);
  assert.deepEqual(prios(dp, 'c', '100'), [
    '1(start) NoOp(a)',
    '2 NoOp(b)',
    '3(third) NoOp(c)',
    '6 NoOp(d)',
    '7 NoOp(e)',
    '11 NoOp(f)',
    '12 NoOp(g)',
    '20 NoOp(h)',
  ]);
});

test("'n' continues from the previous line whatever its extension, and restarts in each section", () => {
  const dp = load(`[c]
exten => 1,1,NoOp()
exten => 2,n,NoOp()
same => n,NoOp()
[c]
exten => 3,n,NoOp()
exten => 3,5,NoOp()
`);
  assert.deepEqual(prios(dp, 'c', '2'), ['2 NoOp()', '3 NoOp()']);
  assert.equal(dp.warnings.length, 1);
  assert.equal(dp.warnings[0].line, 6);
  assert.match(dp.warnings[0].message, /'n' priority cannot be used on the first line/);
  // The repeated [c] section merged into the same context.
  assert.equal(dp.contexts.size, 1);
  assert.deepEqual(prios(dp, 'c', '3'), ['5 NoOp()']);
});

test('bad lines become warnings with file:line and the rest still loads', () => {
  const dp = load(`[general]
autofallthrough = no
[c]
exten => 1,0,NoOp(zero)
exten => 1,-3,NoOp(negative)
exten => 1,abc,NoOp(unknown label)
exten => 1,N(x),NoOp(capital N is not next)
exten => 1,n(open,NoOp(no closing paren in label)
exten => 1,1,NoOp(ok)
exten => 1,1,NoOp(duplicate)
exten => 1,2(x),NoOp(
exten => 1,hint+1,SIP/1
frobnicate => yes
switch => IAX2/user@peer/ctx
eswitch => IAX2/other
lswitch => Local/\${X}
autohints = yes
include => nowhere
exten => 2,1,Dial,SIP/2,20
exten => _.,1,NoOp()
[d]
same => n,NoOp(no previous exten)
`);
  const w = dp.warnings.map((x) => `${x.file}:${x.line} ${x.message}`);
  const at = (line: number, re: RegExp): void => {
    assert.ok(
      dp.warnings.some((x) => x.file === '/etc/herald/extensions.conf' && x.line === line && re.test(x.message)),
      `warning at line ${line} matching ${re}; got:\n${w.join('\n')}`,
    );
  };
  at(4, /invalid priority '0'/);
  at(5, /invalid priority '-3'/);
  at(6, /unknown label 'abc'/);
  at(7, /unknown label 'N'/);
  at(8, /no closing '\)'/);
  at(10, /priority 1 .*already in use/);
  at(11, /no closing parenthesis/);
  at(12, /hint\+1/);
  at(13, /unknown directive 'frobnicate'/);
  at(14, /switch 'IAX2\/user@peer\/ctx'.*not supported/);
  at(15, /eswitch/);
  at(16, /lswitch/);
  at(17, /autohints/);
  at(18, /includes 'nowhere', which does not exist/);
  at(19, /old 'App,args' form/);
  at(20, /matches everything/);
  at(22, /'same' before any 'exten'/);
  assert.equal(dp.warnings.length, 17, w.join('\n'));
  assert.equal(dp.general.autofallthrough, false);
  assert.deepEqual(prios(dp, 'c', '1'), ['1 NoOp(ok)', '2(x) NoOp()']);
  assert.deepEqual(prios(dp, 'c', '2'), ['1 Dial(SIP/2,20)']);
  assert.deepEqual(dp.contexts.get('c')?.switches, ['IAX2/user@peer/ctx', 'IAX2/other', 'Local/${X}']);
  assert.deepEqual(dp.contexts.get('c')?.includes.map((i) => i.context), ['nowhere']);
  assert.equal(dp.exists('c', '1', null), true);
});

test('applications: App(data) to the last paren, bare App, ${…} before the paren keeps the whole field', () => {
  assert.deepEqual(parseApplication('Dial(SIP/100,20,tT)'), { app: 'Dial', data: 'SIP/100,20,tT', missingParen: false });
  assert.deepEqual(parseApplication('  Hangup'), { app: 'Hangup', data: '', missingParen: false });
  assert.deepEqual(parseApplication('Set(A=$[(1+2)*3])'), { app: 'Set', data: 'A=$[(1+2)*3]', missingParen: false });
  assert.deepEqual(parseApplication('NoOp(a) (b)'), { app: 'NoOp', data: 'a) (b', missingParen: false });
  assert.deepEqual(parseApplication('DAHDI/g0/${GLOBAL(var)}'), { app: 'DAHDI/g0/${GLOBAL(var)}', data: '', missingParen: false });
  assert.deepEqual(parseApplication('Verbose(1,x'), { app: 'Verbose', data: '1,x', missingParen: true });
  assert.deepEqual(splitOutsideBrackets('_[1,2]X,1,NoOp', ','), ['_[1,2]X', '1,NoOp']);
  assert.deepEqual(splitOutsideBrackets('a\\,b,1', ','), ['a\\,b', '1']);
  assert.equal(shrinkPhoneNumber('(256) 555-01.01.'), '25655501' + '01.');
  assert.equal(shrinkPhoneNumber('_[1-3]XX'), '_[1-3]XX');
});

test('extension names: spaces dropped, dashes ignored for identity, globals substituted, backslash kept', () => {
  const dp = load(`[globals]
OPERATOR=0
BASE=\${OPERATOR}9
[c]
exten => 555-1212,1,NoOp(a)
exten => 5551212,2,NoOp(b)
exten => _NXX-XXXX,1,NoOp(c)
exten => _NXXXXXX,2,NoOp(d)
exten => 1 2 3,1,NoOp(e)
exten => _[1 2]X,1,NoOp(f)
exten => \${OPERATOR},1,NoOp(op)
exten => \${BASE},1,NoOp(base)
exten => a\\,b,1,NoOp(g)
`);
  assert.deepEqual(dp.warnings, []);
  assert.deepEqual(dp.globals, [
    ['OPERATOR', '0'],
    ['BASE', '${OPERATOR}9'],
  ]);
  const names = dp.contexts.get('c')?.extensions.map((e) => e.name);
  assert.deepEqual(names, ['0', '09', '123', '555-1212', 'a\\,b', '_[1 2]X', '_NXX-XXXX']);
  assert.deepEqual(prios(dp, 'c', '555-1212'), ['1 NoOp(a)', '2 NoOp(b)']);
  // The name shown is the spelling of the lowest priority, whichever line came first.
  const later = load('[c]\nexten => 5551212,2,NoOp(b)\nexten => 555-1212,1,NoOp(a)\nexten => a [1] b,1,NoOp()\nexten => _[1 2] X,1,NoOp()\n');
  assert.deepEqual(later.contexts.get('c')?.extensions.map((e) => e.name), ['555-1212', 'a[1]b', '_[1 2]X']);
  assert.deepEqual(prios(dp, 'c', '_NXX-XXXX'), ['1 NoOp(c)', '2 NoOp(d)']);
  assert.equal(dp.findPriority('c', '555-1212', 2, null)?.priority.appData, 'b');
  assert.equal(dp.findPriority('c', '5551212', 1, null)?.priority.appData, 'a');
  assert.equal(dp.findPriority('c', '5551213', 1, null)?.priority.appData, 'c');
  assert.equal(dp.findPriority('c', ' 1', 1, null)?.priority.appData, 'f', 'a space inside [...] is kept');
  assert.equal(dp.findPriority('c', '29', 1, null)?.priority.appData, 'f');
});

test('templates reach the loader through the lexer; [general] and [globals] are not contexts', () => {
  const doc: ConfDocument = parseConfText(
    `[general]
static=yes
[globals]
X=1
[base](!)
exten => i,1,Playback(invalid)
exten => t,1,Hangup()
[office](base)
exten => 100,1,Dial(SIP/100)
`,
    'extensions.conf',
  );
  const dp = loadDialplan(doc);
  assert.deepEqual([...dp.contexts.keys()], ['office']);
  assert.deepEqual(
    dp.contexts.get('office')?.extensions.map((e) => e.name),
    ['100', 'i', 't'],
  );
  assert.equal(dp.general.static, true);
  assert.equal(dp.general.writeprotect, false);
});

test('hand-built ConfDocument (no lexer): caller-ID lines and hints', () => {
  const entry = (key: string, value: string, line: number) => ({ key, value, op: '=>' as const, file: 'x.conf', line, inherited: false });
  const doc: ConfDocument = {
    file: 'x.conf',
    files: ['x.conf'],
    warnings: [],
    sections: [
      {
        name: 'in',
        isTemplate: false,
        templates: [],
        file: 'x.conf',
        line: 1,
        entries: [
          entry('exten', '_X./_2XX,1,NoOp(from 2xx)', 2),
          entry('exten', '_X.,1,NoOp(anyone)', 3),
          entry('exten', '_X./(555) 01-2.,1,NoOp(shrunk)', 4),
          entry('EXTEN', '300,hint,SIP/300&Custom:dnd300,CustomPresence:300', 5),
          entry('Same', 'n,NoOp(after hint)', 6),
        ],
      },
    ],
  };
  const dp = loadDialplan(doc);
  assert.equal(dp.warnings.length, 1);
  assert.equal(dp.warnings[0].line, 6);
  assert.equal(dp.findPriority('in', '123', 1, '250')?.priority.appData, 'from 2xx');
  assert.equal(dp.findPriority('in', '123', 1, '350')?.priority.appData, 'anyone');
  assert.equal(dp.findPriority('in', '123', 1, '555012.')?.priority.appData, 'shrunk');
  assert.equal(dp.findPriority('in', '123', 1, null)?.priority.appData, 'anyone');
  assert.equal(dp.contexts.get('in')?.extensions.find((e) => e.cidMatch === '555012.')?.name, '_X.');
  const h = dp.hints();
  assert.deepEqual(h.map((x) => [x.exten, x.hint.devices, x.hint.presence]), [['300', 'SIP/300&Custom:dnd300', 'CustomPresence:300']]);
});

test('a label used as the priority of a later line works for patterns and caller-ID entries too', () => {
  const dp = load(`[c]
exten => _X.,1(top),NoOp(a)
exten => _X.,top+5,NoOp(b)
exten => _X./_2XX,1(cidtop),NoOp(c)
exten => _X./_2XX,cidtop+1,NoOp(d)
exten => _X.,cidtop+1,NoOp(not in this extension)
`);
  assert.equal(dp.warnings.length, 1);
  assert.equal(dp.warnings[0].line, 6);
  assert.deepEqual(prios(dp, 'c', '_X.'), ['1(top) NoOp(a)', '6 NoOp(b)']);
  assert.deepEqual(prios(dp, 'c', '_X.', '_2XX'), ['1(cidtop) NoOp(c)', '2 NoOp(d)']);
  assert.equal(dp.findLabel('c', '555', 'cidtop', '250')?.priority.appData, 'c');
  assert.equal(dp.findLabel('c', '555', 'cidtop', '350'), null);
});

test('a label used twice in one extension: the second priority loads without it, as Asterisk discards it', () => {
  const dp = load(`[c]
exten => 1,1(again),NoOp(a)
exten => 1,2(again),NoOp(b)
exten => 2,1(again),NoOp(other extension: fine)
`);
  assert.equal(dp.warnings.length, 1);
  assert.equal(dp.warnings[0].line, 3);
  assert.match(dp.warnings[0].message, /label 'again'.*already used at priority 1/);
  assert.deepEqual(prios(dp, 'c', '1'), ['1(again) NoOp(a)', '2 NoOp(b)']);
  assert.equal(dp.findLabel('c', '1', 'again', null)?.priority.appData, 'a');
  assert.equal(dp.findLabel('c', '2', 'again', null)?.priority.appData, 'other extension: fine');
  assert.deepEqual(dp.counts(), { extensions: 2, priorities: 3, contexts: 1 });
});
