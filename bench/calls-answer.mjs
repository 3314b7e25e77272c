#!/usr/bin/env node
// Answered calls per second: SIPp UAC INVITE → herald → SIPp UAS 180/200 → ACK both ways → the
// caller's BYE relayed to the callee → h runs.
// Usage: node bench/calls-answer.mjs [--build dist] [--calls 10000] [--rate 2000] [--limit 4000]
import { drive, opt, report, setup } from './calls-lib.mjs';

const calls = Number(opt('--calls', '10000'));
const rate = Number(opt('--rate', '2000'));
const limit = Number(opt('--limit', '4000'));
const env = await setup();
try {
  const res = await drive(env, { peer: '2000', uas: 'uas_answer.xml', uac: 'uac_answer.xml', exten: '100', calls, rate, limit, pauseMs: 1 });
  report('INVITE→200→ACK→BYE', res, calls, rate);
} finally {
  await env.h.stop();
}
