/**
 * End-to-end rig for seed 000 (XMPP notification of missed calls): the real `herald` process
 * (test/helpers/server.ts) with seed 000's jabber.conf and extensions.conf, a real Prosody
 * (test/helpers/prosody.ts), SIPp phones (test/helpers/sipp.ts) and bob's own XMPP client
 * (test/xmpp/harness.ts).
 *
 * The seed's files are changed only where a site differs: host, port, passwords and JIDs in
 * jabber.conf (plus herald's cafile= so the test CA is trusted), and the buddy JID in
 * macro-DialVM's h extension.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '../helpers/paths.js';
import type { ProsodyServer } from '../helpers/prosody.js';
import { freePort, startHerald, type HeraldProcess } from '../helpers/server.js';
import { runSipp, sippCsv, startSipp, type SippResult, type SippRunHandle } from '../helpers/sipp.js';
import { waitFor } from '../helpers/wait.js';

/** Accounts the rig registers on Prosody: user → password. */
export const XMPP_USERS: Record<string, string> = {
  pbx: 'pbxpass',
  another: 'anotherpass',
  bob: 'bobpass',
  carol: 'carolpass',
  dave: 'davepass',
  lonely: 'lonelypass',
};

/** The seed's JIDs and where they go on the test server (seed value → test value). */
export interface JabberMapping {
  /** [asterisk]'s username (default pbx@localhost/pbx). */
  asteriskUser?: string;
  /** Its buddy= lines in order (default bob@localhost, carol@localhost). */
  asteriskBuddies?: string[];
}

/**
 * Seed 000's jabber.conf with the site-specific values replaced: serverhost 127.0.0.1, port =
 * Prosody's, usernames/secrets of the test accounts, buddies; `cafile=` added after usesasl=.
 */
export function seedJabberConf(p: ProsodyServer, map: JabberMapping = {}): string {
  const asteriskUser = map.asteriskUser ?? 'pbx@localhost/pbx';
  const asteriskBuddies = map.asteriskBuddies ?? ['bob@localhost', 'carol@localhost'];
  const account2Buddies = ['dave@localhost'];
  const text = readFileSync(fixture('e2e', 'jabber.conf'), 'utf8');
  let section = '';
  let buddyIndex = 0;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const head = /^\[([^\]]+)\]/.exec(line);
    if (head) {
      section = head[1]!;
      buddyIndex = 0;
    }
    const user = section === 'asterisk' ? asteriskUser : 'another@localhost/pbx';
    const local = user.split('@')[0]!;
    if (line.startsWith('serverhost=')) out.push('serverhost=127.0.0.1');
    else if (line.startsWith('port=')) out.push(`port=${p.port}`);
    else if (line.startsWith('username=')) out.push(`username=${user}`);
    else if (line.startsWith('secret=')) out.push(`secret=${XMPP_USERS[local] ?? ''}`);
    else if (line.startsWith('buddy=')) {
      const list = section === 'asterisk' ? asteriskBuddies : account2Buddies;
      const b = list[buddyIndex++];
      if (b !== undefined) out.push(`buddy=${b}`);
    } else if (line.startsWith('usesasl=')) out.push(line, `cafile=${p.certFile}`);
    else out.push(line);
  }
  return out.join('\n');
}

/** The buddy macro-DialVM's h extension notifies, as the seed publishes it. */
export const SEED_BUDDY = 'youraccountreceivingnotifications@gmail.com';

/** Seed 000's extensions.conf: `restored` (the GotoIf line as the how-to meant it) or `published` (as printed). */
export function seedExtensions(kind: 'restored' | 'published', buddy: string | null = 'bob@localhost'): string {
  const text = readFileSync(fixture('e2e', kind === 'restored' ? 'extensions-restored.conf' : 'extensions-published.conf'), 'utf8');
  return buddy === null ? text : text.replace(`Macro(XMPPSend,${SEED_BUDDY},`, `Macro(XMPPSend,${buddy},`);
}

/** The seed's [macro-XMPPSend] replaced by one that keeps the message until the buddy is back. */
export function withJabberNotify(extensions: string): string {
  const start = extensions.indexOf('[macro-XMPPSend]');
  const end = extensions.indexOf('[macro-DialVM]');
  if (start < 0 || end < start) throw new Error('no [macro-XMPPSend] before [macro-DialVM]');
  const macro = [
    '[macro-XMPPSend]',
    '; herald: JabberNotify sends now when the buddy is Online/Chatty, otherwise keeps the message',
    'exten => s,1,JabberNotify(asterisk,${ARG1},${ARG2})',
    'exten => s,n,MacroExit()',
    '',
    '',
  ].join('\n');
  return extensions.slice(0, start) + macro + extensions.slice(end);
}

/** sip.conf: the caller 1000 (context Local, "Alice") and 555, the phone a SIPp UAS registers as. */
export function sipConf(port: number): string {
  return [
    '[general]',
    `udpbindaddr = 127.0.0.1:${port}`,
    'allowguest = no',
    '',
    '[1000]',
    'type = friend',
    'host = dynamic',
    'context = Local',
    'callerid = "Alice" <1000>',
    '',
    '[555]',
    'type = friend',
    'host = dynamic',
    'context = Local',
    '',
  ].join('\n');
}

export interface Rig {
  herald: HeraldProcess;
  /** "127.0.0.1:port" of herald's SIP. */
  target: string;
  sipPort: number;
  stop(): Promise<void>;
}

/** Start herald (-vvv, so the dialplan's steps are on its console) with these files; SIP on `sipPort` (default: a free one). */
export async function startRig(files: Record<string, string>, opts: { sipPort?: number; dir?: string } = {}): Promise<Rig> {
  const sipPort = opts.sipPort ?? (await freePort());
  const herald = await startHerald({
    files: { 'sip.conf': sipConf(sipPort), ...files },
    args: ['-vvv'],
    ...(opts.dir !== undefined ? { dir: opts.dir } : {}),
  });
  return { herald, target: `127.0.0.1:${sipPort}`, sipPort, stop: () => herald.stop() };
}

export { waitFor } from '../helpers/wait.js';

/** Wait until herald's [asterisk] account sees `jid` with this status (1-7), per `jabber test`. */
export async function waitStatus(h: HeraldProcess, jid: string, status: number, timeoutMs = 10000): Promise<void> {
  const re = new RegExp(`Buddy:\\t${jid.replace(/[.]/g, '\\.')}\\tStatus: ${status} `);
  let last = '';
  await waitFor(
    `${jid} status ${status}`,
    async () => {
      last = await h.rx('jabber test asterisk');
      if (status === 7) return !last.includes(`Buddy:\t${jid}\t`) && / - Connected|Client: asterisk \([^)]*\) - Connected/.test(last);
      return re.test(last);
    },
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${last}`);
  });
}

/** Wait until every account of herald is Connected. */
export async function waitConnected(h: HeraldProcess, accounts: number, timeoutMs = 15000): Promise<void> {
  await waitFor(
    `${accounts} XMPP accounts Connected`,
    async () => ((await h.rx('xmpp show connections')).match(/ - Connected/g) ?? []).length === accounts,
    timeoutMs,
  );
}

export function sippSummary(r: SippResult): string {
  return `exit ${r.exitCode} ok ${r.successful} failed ${r.failed}\n${r.errors}\n${r.stderr}`;
}

/** Start a SIPp UAS (`scenario` in test/fixtures/e2e) for `calls` calls on a free port and register it as peer 555. */
export async function startCallee(rig: Rig, scenario: 'uas_ring.xml' | 'uas_answer.xml', calls = 1, timeoutSec = 30): Promise<SippRunHandle> {
  const port = await freePort();
  const uas = startSipp({ scenario: fixture('e2e', scenario), target: rig.target, calls, timeoutSec, args: ['-p', String(port)] });
  const tmp = mkdtempSync(join(tmpdir(), 'herald-e2e-'));
  try {
    const reg = await runSipp({
      scenario: fixture('e2e', 'register.xml'),
      target: rig.target,
      inf: sippCsv(tmp, 'reg.csv', [['555']]),
      calls: 1,
      timeoutSec: 10,
      args: ['-key', 'contact_port', String(port)],
    });
    if (reg.successful !== 1) {
      uas.kill();
      throw new Error(`REGISTER of 555 failed: ${sippSummary(reg)}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return uas;
}

export interface CallOutcome {
  caller: SippResult;
  /** The callee SIPp's result when waited for (answered calls, or `waitCallee`), else null. */
  callee: SippResult | null;
  /** Wall-clock ms at which SIPp sent the CANCEL (from its message trace), for missed calls. */
  cancelAt: number | null;
  /** herald's channel name of the caller's leg (SIP/1000-xxxxxxxx). */
  channel: string;
  /** herald's console output printed for this call (from its INVITE to the end of h). */
  console: string;
}

/** SIPp's -trace_msg entry header: "----…---- YYYY-MM-DD HH:MM:SS.micro" before each message. */
export function sippSendTimes(trace: string, method: string): number[] {
  const out: number[] = [];
  const re = /-{10,} (\d{4}-\d\d-\d\d)\s+(\d\d:\d\d:\d\d)\.(\d{1,6})\s*\r?\n\S+ message sent \(\d+ bytes\):\s*\r?\n\s*\r?\n?(\S+)/g;
  for (let m = re.exec(trace); m !== null; m = re.exec(trace)) {
    if (m[4] !== method) continue;
    const micro = m[3]!.padEnd(6, '0');
    out.push(new Date(`${m[1]}T${m[2]}`).getTime() + Number(micro) / 1000);
  }
  return out;
}

export interface PlaceCallOptions {
  /** How long 555 rings before the CANCEL, or how long an answered call lasts (ms, default 200). */
  ringMs?: number;
  /**
   * Wait for the ringing callee SIPp to finish its scenario (it lingers 1 s after the ACK to
   * absorb retransmissions); by default it is stopped once herald has finished the call.
   */
  waitCallee?: boolean;
}

/**
 * One call from 1000 to 555 through [Local]: `missed` = ring then the caller CANCELs after
 * `ringMs`; `answered` = 555 answers, they talk `ringMs`, the caller hangs up. Resolves once
 * herald has finished the call's h extension (see waitHangupDone).
 */
export async function placeCall(rig: Rig, kind: 'missed' | 'answered', opts: PlaceCallOptions = {}): Promise<CallOutcome> {
  const ringMs = opts.ringMs ?? 200;
  const h = rig.herald;
  const from = h.output().length;
  const uas = await startCallee(rig, kind === 'missed' ? 'uas_ring.xml' : 'uas_answer.xml');
  const tmp = mkdtempSync(join(tmpdir(), 'herald-e2e-'));
  try {
    const traceFile = join(tmp, 'messages.log');
    const caller = await runSipp({
      scenario: fixture('e2e', kind === 'missed' ? 'uac_cancel.xml' : 'uac_answer.xml'),
      target: rig.target,
      inf: sippCsv(tmp, 'call.csv', [['1000', '555']]),
      calls: 1,
      timeoutSec: 20,
      args: ['-d', String(ringMs), '-trace_msg', '-message_file', traceFile],
    });
    if (caller.successful !== 1) {
      uas.kill();
      throw new Error(`caller SIPp failed: ${sippSummary(caller)}\nherald:\n${h.output().slice(from)}`);
    }
    let trace = '';
    try {
      trace = readFileSync(traceFile, 'utf8');
    } catch {
      trace = '';
    }
    const cancels = sippSendTimes(trace, 'CANCEL');
    // The caller leg's name from its first dialplan step, then the end of its h extension.
    const nameRe = /Executing \[555@Local:1\] Macro\("(SIP\/1000-[0-9a-f]+)"/;
    const channel = await waitFor('the call in [Local]', () => nameRe.exec(h.output().slice(from))?.[1], 5000).catch((err: Error) => {
      uas.kill();
      throw new Error(`${err.message}\n${h.output().slice(from)}`);
    });
    await waitHangupDone(h, channel, from);
    let callee: SippResult | null = null;
    if (kind === 'answered' || opts.waitCallee) callee = await uas.result;
    else uas.kill();
    return { caller, callee, cancelAt: cancels[0] ?? null, channel, console: h.output().slice(from) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The end of the call's h extension on herald's console: every path of macro-DialVM's h ends
 * with Hangup() at priority 5, and herald (like Asterisk, which the seed quotes) then prints
 * "Spawn extension (macro-DialVM, h, 5) exited …" for the channel.
 */
export async function waitHangupDone(h: HeraldProcess, channel: string, from = 0, timeoutMs = 5000): Promise<void> {
  const needle = `Spawn extension (macro-DialVM, h, 5) exited non-zero on '${channel}'`;
  await waitFor(`${needle} on herald's console`, () => h.output().indexOf(needle, from) >= 0, timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message}\n${h.output().slice(from)}`);
  });
}

/** The dialplan steps herald ran for one channel (the text after "Executing [" on its lines). */
export function stepsOf(consoleText: string, channel: string): string[] {
  return consoleText
    .split('\n')
    .filter((l) => l.includes(`("${channel}"`) && l.includes('Executing ['))
    .map((l) => l.slice(l.indexOf('Executing [') + 'Executing ['.length));
}

/** A root directory for a herald whose configuration must survive a restart (ROOT/etc). */
export function persistentRoot(): { root: string; dir: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'herald-e2e-root-'));
  return { root, dir: join(root, 'etc'), remove: () => rmSync(root, { recursive: true, force: true }) };
}
