import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeDuration } from '../../src/cli/uptime.js';
import { consoleLineForLog, formatVerbose } from '../../src/cli/console-output.js';

test("uptime wording follows Asterisk's", () => {
  assert.equal(describeDuration(0), '0 seconds');
  assert.equal(describeDuration(1), '1 second');
  assert.equal(describeDuration(65), '1 minute, 5 seconds');
  assert.equal(describeDuration(120), '2 minutes');
  assert.equal(describeDuration(3600 + 1), '1 hour, 1 second');
  assert.equal(describeDuration(8 * 86400 + 2 * 3600), '1 week, 1 day, 2 hours');
  assert.equal(describeDuration(366 * 86400), '1 year, 1 day');
});

test('verbose prefixes follow Asterisk levels', () => {
  assert.equal(formatVerbose(0, 'herald Ready.'), 'herald Ready.');
  assert.equal(formatVerbose(2, 'Loading module sip'), '  == Loading module sip');
  assert.equal(formatVerbose(3, 'Executing'), '    -- Executing');
  assert.equal(formatVerbose(9, 'deep'), '       > deep');
});

test('warnings become WARNING[pid]: where: message console lines; info stays off the console', () => {
  const t = new Date(2026, 10, 22, 15, 52, 45).getTime();
  const line = consoleLineForLog(JSON.stringify({ level: 40, time: t, file: 'sip.conf', line: 12, msg: 'unknown option' }), 77);
  assert.equal(line, '[Nov 22 15:52:45] WARNING[77]: sip.conf:12: unknown option');
  const err = consoleLineForLog(JSON.stringify({ level: 50, time: t, module: 'sip', msg: 'bind failed', err: { message: 'EADDRINUSE' } }), 77);
  assert.equal(err, '[Nov 22 15:52:45] ERROR[77]: sip: bind failed: EADDRINUSE');
  assert.equal(consoleLineForLog(JSON.stringify({ level: 30, msg: 'x' }), 1), null);
  assert.equal(consoleLineForLog('{"level":50, broken', 1), null);
});
