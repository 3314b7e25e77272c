import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfFile, parseConfText } from '../../src/config/lexer.js';
import { ConfError, type ConfDocument, type ConfSection } from '../../src/config/types.js';

function parse(text: string): ConfDocument {
  return parseConfText(text, 'test.conf', { baseDir: '/nonexistent' });
}

function section(doc: ConfDocument, name: string, index = 0): ConfSection {
  const found = doc.sections.filter((s) => s.name === name)[index];
  assert.ok(found, `section ${name}[${index}]`);
  return found;
}

function kv(s: ConfSection): Array<[string, string]> {
  return s.entries.map((e) => [e.key, e.value]);
}

function confError(fn: () => unknown, file: string, line: number, pattern?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfError, `expected ConfError, got ${String(err)}`);
    assert.equal(err.file, file);
    assert.equal(err.line, line);
    if (pattern) assert.match(err.message, pattern);
    assert.ok(err.message.startsWith(`${file}:${line}: `));
    return true;
  });
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'herald-conf-'));
}

test('sections and key = value / => with Asterisk trimming', () => {
  const doc = parse('[general]\n  a = 1  \nb=>  two words  \n\n[other]\nc =\n');
  assert.equal(doc.sections.length, 2);
  const g = section(doc, 'general');
  assert.deepEqual(kv(g), [['a', '1'], ['b', 'two words']]);
  assert.equal(g.entries[0]!.op, '=');
  assert.equal(g.entries[1]!.op, '=>');
  assert.equal(g.entries[1]!.line, 3);
  assert.equal(g.entries[1]!.file, 'test.conf');
  assert.equal(g.line, 1);
  assert.deepEqual(kv(section(doc, 'other')), [['c', '']]);
});

test('values are not interpreted: commas, parentheses, $[ ], ${ }, quotes and backslashes stay', () => {
  const v = 'Set(x="a,b")=${FOO},$[1 + 2]\\,\\q';
  const doc = parse(`[c]\nexten => 1,1,${v}\nstatusmessage="I am here"\n`);
  assert.deepEqual(kv(section(doc, 'c')), [['exten', `1,1,${v}`], ['statusmessage', '"I am here"']]);
});

test('split at the first =; a key keeps its case; duplicate sections are kept apart', () => {
  const doc = parse('[A]\nKey=a=b\n[A]\nkey=c\n');
  assert.equal(doc.sections.length, 2);
  assert.deepEqual(kv(section(doc, 'A', 0)), [['Key', 'a=b']]);
  assert.deepEqual(kv(section(doc, 'A', 1)), [['key', 'c']]);
});

test('; comments, \\; escape, and blanks before the comment', () => {
  const doc = parse('[s] ; a section\nk = v ; comment\nm = a\\;b ; c\n; whole line\n   ;indented\nn=x;y\n');
  assert.deepEqual(kv(section(doc, 's')), [['k', 'v'], ['m', 'a;b'], ['n', 'x']]);
});

test('block comments: inline, multi-line, nested, ;--- is not a block, text after --; is parsed', () => {
  const text = [
    '[s]',
    ';-- Comment --; exten => 1000,1,Dial(SIP/lisa)',
    'a = 1 ;-- starts here',
    'b = 2',
    ';-- nested --;',
    'still comment --; c = 3',
    ';--- not a block',
    'd = 4',
    'e = x ;-- y --; z',
  ].join('\n');
  const doc = parse(text);
  assert.deepEqual(kv(section(doc, 's')), [
    ['exten', '1000,1,Dial(SIP/lisa)'],
    ['a', '1'],
    ['c', '3'],
    ['d', '4'],
    ['e', 'x  z'],
  ]);
  assert.equal(section(doc, 's').entries[2]!.line, 6);
  assert.deepEqual(doc.warnings, []);
});

test('an unterminated block comment is a warning naming the line it began on', () => {
  const doc = parse('[s]\na=1\n;-- open\nb=2\n');
  assert.deepEqual(kv(section(doc, 's')), [['a', '1']]);
  assert.equal(doc.warnings.length, 1);
  assert.equal(doc.warnings[0]!.line, 3);
  assert.match(doc.warnings[0]!.message, /Unterminated comment detected beginning on line 3/);
});

test('a stray --; outside a block is a plain comment', () => {
  const doc = parse('[s]\na = 1 --; x\nb = 2\n');
  assert.deepEqual(kv(section(doc, 's')), [['a', '1 --'], ['b', '2']]);
});

test('templates, inheritance in template order, [x](!,tpl) and inherited flags', () => {
  const doc = parse([
    '[base](!)',
    'type=friend',
    'host=dynamic',
    '[codecs](!)',
    'allow=ulaw',
    '[tpl2](!,base)',
    'context=internal',
    '[6001](base,codecs)',
    'secret=x',
    '[6002](tpl2)',
  ].join('\n'));
  assert.equal(section(doc, 'base').isTemplate, true);
  assert.equal(section(doc, '6001').isTemplate, false);
  const tpl2 = section(doc, 'tpl2');
  assert.equal(tpl2.isTemplate, true);
  assert.deepEqual(tpl2.templates, ['base']);
  assert.deepEqual(kv(tpl2), [['type', 'friend'], ['host', 'dynamic'], ['context', 'internal']]);
  const p = section(doc, '6001');
  assert.deepEqual(p.templates, ['base', 'codecs']);
  assert.deepEqual(kv(p), [['type', 'friend'], ['host', 'dynamic'], ['allow', 'ulaw'], ['secret', 'x']]);
  assert.deepEqual(p.entries.map((e) => e.inherited), [true, true, true, false]);
  assert.equal(p.entries[0]!.line, 2, 'inherited entries keep their origin');
  assert.deepEqual(kv(section(doc, '6002')), [['type', 'friend'], ['host', 'dynamic'], ['context', 'internal']]);
});

test('inheriting from a missing base or appending to a missing section is a ConfError', () => {
  confError(() => parse('[a](nope)\n'), 'test.conf', 1, /Inheritance requested, but category 'nope' does not exist/);
  confError(() => parse('[x]\n[a](+)\n'), 'test.conf', 2, /Category addition requested, but category 'a' does not exist/);
});

test('[x](+) adds to the existing section (first match, any case), with an optional filter', () => {
  const doc = parse('[a]\nk=1\n[b]\nk=2\n[A](+)\nm=3\n[peer]\ntype=user\n[peer]\ntype=peer\n[peer](+type=peer)\nz=1\n');
  assert.equal(doc.sections.length, 4);
  assert.deepEqual(kv(section(doc, 'a')), [['k', '1'], ['m', '3']]);
  assert.deepEqual(kv(section(doc, 'peer', 1)), [['type', 'peer'], ['z', '1']]);
});

test('+= appends to the last value of that key, keeping the blanks it was written with', () => {
  const doc = parse('[s]\na = x\na = y\na += z\nb += only\nc = p\nc +=q\n');
  assert.deepEqual(kv(section(doc, 's')), [['a', 'x'], ['a', 'y z'], ['b', 'only'], ['c', 'pq']]);
  assert.equal(section(doc, 's').entries[2]!.op, '+=');
});

test('+= on an inherited value makes it the section\'s own', () => {
  const doc = parse('[t](!)\nallow=ulaw\n[p](t)\nallow +=,alaw\n');
  assert.deepEqual(kv(section(doc, 'p')), [['allow', 'ulaw,alaw']]);
  assert.equal(section(doc, 'p').entries[0]!.inherited, false);
  assert.deepEqual(kv(section(doc, 't')), [['allow', 'ulaw']], 'the template is untouched');
});

test('a leading backslash escapes the first character of a key', () => {
  const doc = parse('[s]\n\\[odd]=1\n\\#x = 2\n');
  assert.deepEqual(kv(section(doc, 's')), [['[odd]', '1'], ['#x', '2']]);
  confError(() => parse('[s]\n\\\n'), 'test.conf', 2, /Invalid escape/);
});

test('fatal lines name file:line', () => {
  confError(() => parse('; hi\nkey = value\n'), 'test.conf', 2, /No category context/);
  confError(() => parse('[broken\n'), 'test.conf', 1, /no closing '\]'/);
  confError(() => parse('[x](!\n'), 'test.conf', 1, /no closing '\)'/);
});

test('a line without = is skipped with a file:line warning and the rest loads, as Asterisk does', () => {
  const doc = parse('[s]\na=1\njust some words\nb=2\n');
  assert.deepEqual(kv(section(doc, 's')), [['a', '1'], ['b', '2']]);
  assert.equal(doc.warnings.length, 1);
  assert.equal(doc.warnings[0]!.line, 3);
  assert.match(doc.warnings[0]!.message, /No '=' \(equal sign\)/);
});

test('non-fatal problems are warnings: empty key, unknown directive, #exec, missing argument', () => {
  const doc = parse('[s]\n= v\n#frobnicate x\n#exec /bin/echo hi\n#include\n');
  assert.deepEqual(doc.sections[0]!.entries, []);
  assert.deepEqual(doc.warnings.map((w) => w.line), [2, 3, 4, 5]);
  assert.match(doc.warnings[1]!.message, /Unknown directive '#frobnicate'/);
  assert.match(doc.warnings[2]!.message, /#exec .* ignored/);
});

test('a BOM on line 1 and CRLF line ends are ignored; over-long lines are skipped with a warning', () => {
  const long = 'x='.padEnd(9000, 'y');
  const doc = parse(`\uFEFF[s]\r\na=1\r\n${long}\nb=2\n`);
  assert.deepEqual(kv(section(doc, 's')), [['a', '1'], ['b', '2']]);
  assert.equal(doc.warnings.length, 1);
  assert.match(doc.warnings[0]!.message, /Line 3 too long/);
});

test('#include with quotes, <>, bare; relative to baseDir; entries carry the included file', () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'top.conf'), '[a]\nx=1\n#include "inc1.conf"\ny=2\n#include <inc2.conf>\n#include sub/inc3.conf\n');
    writeFileSync(join(dir, 'inc1.conf'), 'in1=1\n[b]\nin1b=1\n');
    writeFileSync(join(dir, 'inc2.conf'), '[c]\nin2=1\n');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'inc3.conf'), '[d]\nin3=1\n');
    const doc = loadConfFile(join(dir, 'top.conf'));
    assert.deepEqual(doc.files, [join(dir, 'top.conf'), join(dir, 'inc1.conf'), join(dir, 'inc2.conf'), join(dir, 'sub', 'inc3.conf')]);
    assert.deepEqual(doc.sections.map((s) => s.name), ['a', 'b', 'c', 'd']);
    // The included file starts in the includer's section; the includer carries on in its own.
    assert.deepEqual(kv(section(doc, 'a')), [['x', '1'], ['in1', '1'], ['y', '2']]);
    assert.equal(section(doc, 'a').entries[1]!.file, join(dir, 'inc1.conf'));
    assert.equal(section(doc, 'a').entries[1]!.line, 1);
    assert.equal(section(doc, 'b').file, join(dir, 'inc1.conf'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('#include resolves against an explicit baseDir (Asterisk: the config directory)', () => {
  const dir = tempDir();
  try {
    mkdirSync(join(dir, 'etc'));
    mkdirSync(join(dir, 'other'));
    writeFileSync(join(dir, 'other', 'top.conf'), '#include inc.conf\n');
    writeFileSync(join(dir, 'etc', 'inc.conf'), '[x]\na=1\n');
    const doc = loadConfFile(join(dir, 'other', 'top.conf'), { baseDir: join(dir, 'etc') });
    assert.deepEqual(kv(section(doc, 'x')), [['a', '1']]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('#include globs expand sorted; hidden files are skipped; no match is an error, #tryinclude is not', () => {
  const dir = tempDir();
  try {
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'conf.d', 'b.conf'), '[b]\n');
    writeFileSync(join(dir, 'conf.d', 'a.conf'), '[a]\n');
    writeFileSync(join(dir, 'conf.d', '.hidden.conf'), '[hidden]\n');
    writeFileSync(join(dir, 'conf.d', 'c.txt'), '[txt]\n');
    writeFileSync(join(dir, 'conf.d', 'x1.conf'), '[x1]\n');
    writeFileSync(join(dir, 'top.conf'), '#include "conf.d/*.conf"\n#include conf.d/x?.conf\n#tryinclude "nothing/*.conf"\n#tryinclude missing.conf\n');
    const doc = loadConfFile(join(dir, 'top.conf'));
    assert.deepEqual(doc.sections.map((s) => s.name), ['a', 'b', 'x1', 'x1']);
    writeFileSync(join(dir, 'bad.conf'), '[s]\n\n#include "none/*.conf"\n');
    confError(() => loadConfFile(join(dir, 'bad.conf')), join(dir, 'bad.conf'), 3, /listed as a #include but it does not exist/);
    // A reversed range is no RegExp: it matches nothing (glob(3)) rather than throwing a SyntaxError.
    writeFileSync(join(dir, 'range.conf'), '[s]\n#include "conf.d/[z-a]*.conf"\n');
    confError(() => loadConfFile(join(dir, 'range.conf')), join(dir, 'range.conf'), 2, /listed as a #include but it does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing #include is a ConfError at the include line; a missing top-level file is line 0', () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'top.conf'), '[s]\n#include nope.conf\n');
    confError(() => loadConfFile(join(dir, 'top.conf')), join(dir, 'top.conf'), 2, /'nope.conf' was listed as a #include but it does not exist/);
    confError(() => loadConfFile(join(dir, 'absent.conf')), join(dir, 'absent.conf'), 0, /not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('problems inside an included file name that file and line', () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'top.conf'), '[s]\n#include inc.conf\n');
    writeFileSync(join(dir, 'inc.conf'), 'a=1\nrubbish\n');
    const doc = loadConfFile(join(dir, 'top.conf'));
    assert.deepEqual([doc.warnings[0]!.file, doc.warnings[0]!.line], [join(dir, 'inc.conf'), 2]);
    writeFileSync(join(dir, 'inc.conf'), 'a=1\n[broken\n');
    confError(() => loadConfFile(join(dir, 'top.conf')), join(dir, 'inc.conf'), 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('include loops are detected; the same file may be included twice in a row', () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'a.conf'), '[s]\n#include b.conf\n');
    writeFileSync(join(dir, 'b.conf'), 'x=1\n#include a.conf\n');
    confError(() => loadConfFile(join(dir, 'a.conf')), join(dir, 'b.conf'), 2, /#include loop: .*a\.conf -> .*b\.conf -> .*a\.conf/);
    writeFileSync(join(dir, 'self.conf'), '#include self.conf\n');
    confError(() => loadConfFile(join(dir, 'self.conf')), join(dir, 'self.conf'), 1, /#include loop/);
    writeFileSync(join(dir, 'twice.conf'), '[s]\n#include leaf.conf\n#include leaf.conf\n');
    writeFileSync(join(dir, 'leaf.conf'), 'k=v\n');
    const twice = loadConfFile(join(dir, 'twice.conf'));
    assert.deepEqual(kv(section(twice, 's')), [['k', 'v'], ['k', 'v']]);
    assert.deepEqual(twice.files, [join(dir, 'twice.conf'), join(dir, 'leaf.conf')], 'each file listed once');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('include depth is limited to 10 levels', () => {
  const dir = tempDir();
  try {
    for (let i = 0; i < 12; i++) writeFileSync(join(dir, `l${i}.conf`), `#include l${i + 1}.conf\n`);
    writeFileSync(join(dir, 'l12.conf'), '[s]\n');
    confError(() => loadConfFile(join(dir, 'l0.conf')), join(dir, 'l9.conf'), 1, /Maximum include level \(10\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parseConfText can read includes through a readFile hook', () => {
  const files: Record<string, string> = { '/etc/h/inc.conf': 'b=2\n' };
  const doc = parseConfText('[s]\na=1\n#include inc.conf\n', '/etc/h/main.conf', {
    readFile: (p) => {
      const t = files[p];
      if (t === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return t;
    },
  });
  assert.deepEqual(kv(section(doc, 's')), [['a', '1'], ['b', '2']]);
  assert.deepEqual(doc.files, ['/etc/h/main.conf', '/etc/h/inc.conf']);
});
