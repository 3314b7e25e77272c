// IFTIME, STRFTIME, STRPTIME and the time-spec matcher, on a fixed clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IFTIME } from '../../../src/pbx/funcs/iftime.js';
import { STRFTIME } from '../../../src/pbx/funcs/strftime.js';
import { STRPTIME } from '../../../src/pbx/funcs/strptime.js';
import { matchTimeSpec } from '../../../src/pbx/funcs/timespec.js';
import { ctx, FakeChannel, makeServices, read } from './fake-channel.js';

// Thursday 2026-01-15 10:30:00 UTC.
const T = Date.UTC(2026, 0, 15, 10, 30, 0);
const EPOCH = T / 1000;

test('matchTimeSpec: times, weekdays, mdays, months, time zone', () => {
  const d = new Date(T);
  assert.equal(matchTimeSpec('*,*,*,*,UTC', d), true);
  assert.equal(matchTimeSpec('09:00-17:00,mon-fri,*,*,UTC', d), true);
  assert.equal(matchTimeSpec('09:00-17:00,sat-sun,*,*,UTC', d), false);
  assert.equal(matchTimeSpec('17:02-8:58,*,*,*,UTC', d), false);
  assert.equal(matchTimeSpec('10:30,*,*,*,UTC', d), true);
  assert.equal(matchTimeSpec('*,thu,15,jan,UTC', d), true);
  assert.equal(matchTimeSpec('*,*,1-14&16-31,*,UTC', d), false);
  assert.equal(matchTimeSpec('*,*,*,feb-dec,UTC', d), false);
  assert.equal(matchTimeSpec('*|5|*|*|UTC', d), true); // legacy '|', 5 = thursday (1 = sunday)
  // 10:30 UTC is 05:30 in New York.
  assert.equal(matchTimeSpec('05:00-06:00,*,*,*,America/New_York', d), true);
  assert.equal(matchTimeSpec('10:00-11:00,*,*,*,America/New_York', d), false);
});

test('IFTIME picks the branch from the current time', () => {
  const c = ctx(new FakeChannel(), makeServices(T));
  assert.equal(read(IFTIME, '09:00-17:00,mon-fri,*,*,UTC?open:closed', c), 'open');
  assert.equal(read(IFTIME, '18:00-23:00,*,*,*,UTC?open:closed', c), 'closed');
  assert.equal(read(IFTIME, '18:00-23:00,*,*,*,UTC?open', c), '');
  assert.throws(() => read(IFTIME, '*,*,*,*', c), /Syntax/);
  assert.equal(read(IFTIME, '"*,*,*,*,UTC?"yes" : no"', c), 'yes');
  assert.equal(read(IFTIME, '18:00-23:00,*,*,*,UTC?', c), '');
});

test('STRFTIME formats in a zone, default now and %c', () => {
  const c = ctx(new FakeChannel(), makeServices(T));
  assert.equal(read(STRFTIME, `${EPOCH},UTC,%Y-%m-%d %H:%M:%S`, c), '2026-01-15 10:30:00');
  assert.equal(read(STRFTIME, `,UTC,%Y-%m-%d %H:%M:%S`, c), '2026-01-15 10:30:00');
  assert.equal(read(STRFTIME, `${EPOCH},UTC`, c), 'Thu Jan 15 10:30:00 2026');
  assert.equal(read(STRFTIME, `${EPOCH},America/New_York,%H:%M %Z %z`, c), '05:30 EST -0500');
  assert.equal(read(STRFTIME, `${EPOCH},Europe/Berlin,%H:%M %Z %z`, c), '11:30 CET +0100');
  assert.equal(
    read(STRFTIME, `${EPOCH},UTC,%a %A %b %B %e %j %p %s %y %T %D %R %%`, c),
    `Thu Thursday Jan January 15 015 AM ${EPOCH} 26 10:30:00 01/15/26 10:30 %`,
  );
  assert.equal(read(STRFTIME, `${EPOCH}.25,UTC,%S.%3q`, c), '00.250');
  assert.equal(read(STRFTIME, `${EPOCH},UTC,%d%m%Y-%H:%M:%S`, c), '15012026-10:30:00');
});

test('STRPTIME parses in a zone and gives the epoch', () => {
  const c = ctx();
  assert.equal(read(STRPTIME, '2026-01-15 10:30:00,UTC,%Y-%m-%d %H:%M:%S', c), String(EPOCH));
  assert.equal(read(STRPTIME, '2026-01-15 05:30:00,America/New_York,%Y-%m-%d %H:%M:%S', c), String(EPOCH));
  assert.equal(read(STRPTIME, '15 Jan 2026 10:30,UTC,%d %b %Y %H:%M', c), String(EPOCH));
  assert.equal(read(STRPTIME, 'garbage,UTC,%Y-%m-%d', c), '');
  assert.throws(() => read(STRPTIME, '2026,UTC', c), /No format supplied/);
});
