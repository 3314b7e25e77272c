/** End to end: a real SIPp UAC sends OPTIONS over UDP to the stack, whose handler answers 200. */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { RealClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { createSipStack } from '../../../src/sip/stack.js';
import { TransportLayer } from '../../../src/sip/transport/layer.js';
import { fixture } from '../../helpers/paths.js';

const SIPP = '/usr/bin/sipp';

/** A UDP port that was free a moment ago (bind 0, read, close). */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function runSipp(args: string[], limitMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(SIPP, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function runOptions(proto: 'UDP' | 'TCP'): Promise<void> {
  const bind = [{ address: '127.0.0.1', port: 0 }];
  const layer = await TransportLayer.create({ ...(proto === 'UDP' ? { udp: bind } : { tcp: bind }), log: silentLogger() });
  const stack = createSipStack({ transport: layer, clock: new RealClock(), log: silentLogger(), userAgent: 'herald-test' });
  let seen = 0;
  stack.handle('OPTIONS', (req, ctx) => {
    seen++;
    assert.ok(req.vias[0]?.params.get('rport'), 'rport filled in on receipt');
    ctx.tx?.reply(200, 'OK', [['Allow', stack.allowedMethods().join(', ')]]);
  });
  try {
    const port = layer.boundEndpoints()[0]?.port ?? 0;
    const sippPort = await freeUdpPort();
    const { code, output } = await runSipp(
      [`127.0.0.1:${port}`, '-sf', fixture('sip', 'stack', 'options.xml'), '-i', '127.0.0.1', '-p', String(sippPort), '-t', proto === 'UDP' ? 'u1' : 't1', '-m', '1', '-timeout', '10s', '-timeout_error', '-nostdin', '-nd'],
      20000,
    );
    assert.equal(code, 0, `sipp failed:\n${output.slice(-2000)}`);
    assert.equal(seen, 1);
  } finally {
    await stack.close();
  }
}

describe('SIPp end to end', { skip: !existsSync(SIPP) && 'sipp not installed' }, () => {
  it('SIPp OPTIONS over UDP gets 200 from the stack', () => runOptions('UDP'));
  it('SIPp OPTIONS over TCP gets 200 from the stack', () => runOptions('TCP'));
});
