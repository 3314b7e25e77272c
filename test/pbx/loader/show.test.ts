/** `dialplan show` variants beyond the observed output: includes, filters, errors, CID entries. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfText } from '../../../src/config/lexer.js';
import { loadDialplan } from '../../../src/pbx/loader.js';
import { formatDialplanShow, parseShowTarget, showDialplan } from '../../../src/pbx/show.js';

const dp = loadDialplan(
  parseConfText(
    `[inner]
exten => 100,1,NoOp(inner)
[outer]
include => inner
include => daytime,9:00-17:00,mon-fri,*,*
ignorepat => 9
switch => IAX2/box/ctx
exten => 100/200,1,NoOp(from 200)
exten => 100,1,NoOp(outer)
 same => n(end),Hangup()
exten => _1XX,1,NoOp(pattern)
[daytime]
`,
    '/etc/herald/extensions.conf',
  ),
);

const CONTEXT_OUTER = [
  "[ Context 'outer' created by 'pbx_config' ]",
  "  '100' (CID match '200') =>  1. NoOp(from 200)                             [extensions.conf:8]",
  "  '100' =>          1. NoOp(outer)                                [extensions.conf:9]",
  '     [end]          2. Hangup()                                   [extensions.conf:10]',
  "  '_1XX' =>         1. NoOp(pattern)                              [extensions.conf:11]",
  "  Include =>        'inner'                                       [pbx_config]",
  "  Include =>        'daytime,9:00-17:00,mon-fri,*,*'              [pbx_config]",
  "  Ignore pattern => '9'                                           [pbx_config]",
  "  Alt. Switch =>    'IAX2/box/ctx'                                [pbx_config]",
  '',
];

test('one context: CID entries, labels, includes as written, ignore patterns, switches', () => {
  assert.equal(formatDialplanShow(dp, 'outer'), [...CONTEXT_OUTER, '-= 3 extensions (4 priorities) in 1 context. =-', ''].join('\n'));
});

test('whole dialplan: contexts newest first, empty contexts printed, plural rules', () => {
  const text = formatDialplanShow(dp);
  assert.equal(
    text,
    [
      "[ Context 'daytime' created by 'pbx_config' ]",
      '',
      ...CONTEXT_OUTER,
      "[ Context 'inner' created by 'pbx_config' ]",
      "  '100' =>          1. NoOp(inner)                                [extensions.conf:2]",
      '',
      '-= 4 extensions (5 priorities) in 3 contexts. =-',
      '',
    ].join('\n'),
  );
});

test('exten@context: only matching extensions, included contexts searched too', () => {
  assert.equal(
    formatDialplanShow(dp, '100@outer'),
    [
      "[ Context 'outer' created by 'pbx_config' ]",
      "  '100' (CID match '200') =>  1. NoOp(from 200)                             [extensions.conf:8]",
      "  '100' =>          1. NoOp(outer)                                [extensions.conf:9]",
      '     [end]          2. Hangup()                                   [extensions.conf:10]',
      "  '_1XX' =>         1. NoOp(pattern)                              [extensions.conf:11]",
      // As in Asterisk, an included context prints where the include is walked, inside the
      // including context's block (before its ignore patterns and switches).
      "[ Included context 'inner' created by 'pbx_config' ]",
      "  '100' =>          1. NoOp(inner)                                [extensions.conf:2]",
      '',
      "  Alt. Switch =>    'IAX2/box/ctx'                                [pbx_config]",
      '',
      '-= 4 extensions (5 priorities) in 2 contexts. =-',
      '',
    ].join('\n'),
  );
  // The timed include names no context as written, so Asterisk shows nothing from 'daytime'
  // even when it has a match; the plain include is searched.
  const timed = loadDialplan(
    parseConfText('[a]\ninclude => b,*,*,*,*\ninclude => c\n[b]\nexten => 5,1,NoOp(b)\n[c]\nexten => 5,1,NoOp(c)\n', 'extensions.conf'),
  );
  assert.equal(
    formatDialplanShow(timed, '5@a'),
    [
      "[ Included context 'c' created by 'pbx_config' ]",
      "  '5' =>            1. NoOp(c)                                    [extensions.conf:7]",
      '',
      '-= 1 extension (1 priority) in 1 context. =-',
      '',
    ].join('\n'),
  );
  const one = showDialplan(dp, '150@outer');
  assert.equal(one.ok, true);
  assert.match(one.text, /-= 1 extension \(1 priority\) in 1 context\. =-\n$/);
});

test('error answers', () => {
  assert.deepEqual(showDialplan(dp, 'nope'), { ok: false, text: "There is no existence of 'nope' context\n" });
  assert.deepEqual(showDialplan(dp, '555@outer'), { ok: false, text: 'There is no existence of 555@outer extension\n' });
  assert.deepEqual(showDialplan(dp, '555@'), { ok: false, text: "There is no existence of '555' extension in all contexts\n" });
  assert.deepEqual(showDialplan(dp, '555@nope'), { ok: false, text: "There is no existence of 'nope' context\n" });
  assert.deepEqual(parseShowTarget('@outer'), { exten: null, context: 'outer' });
  assert.deepEqual(parseShowTarget('a@'), { exten: 'a', context: null });
  assert.deepEqual(parseShowTarget(undefined), { exten: null, context: null });
});
