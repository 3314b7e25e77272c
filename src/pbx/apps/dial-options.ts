/**
 * Dial's option string (asterisk-dialplan-xmpp.md §5.8; Asterisk's ast_app_parse_options64):
 * every character is an option letter, optionally followed by `(argument)`; the argument runs to
 * the matching `)` (nested parentheses and double quotes respected, `\` escapes one character).
 * A `(` without its `)` makes the whole string invalid (Dial then leaves DIALSTATUS=INVALIDARGS).
 * Letters herald does not act on are kept in `letters` and otherwise ignored, as Asterisk ignores
 * options it has no use for.
 *
 * The sub-argument delimiter inside option arguments is `^` (ast_replace_subargument_delimiter
 * turns every `^` into `,`): `b(ctx^exten^1(a^b))` is `Gosub(ctx,exten,1(a,b))`, `U(sub^a^b)` is
 * `Gosub(sub,s,1(a,b))`.
 */
import { jumpTo, parseGotoTarget, type GotoTarget } from './goto-target.js';
import type { AppResult, DialplanChannel, PbxServices } from '../types.js';

export interface DialOptions {
  /** Every option letter given (with or without an argument). */
  readonly letters: ReadonlySet<string>;
  /** The argument text of letters written with `(…)`, outer parentheses removed. */
  readonly args: ReadonlyMap<string, string>;
}

export type DialOptionsParse = { ok: true; options: DialOptions } | { ok: false; error: string };

export function parseDialOptions(text: string): DialOptionsParse {
  const letters = new Set<string>();
  const args = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    const letter = text[i]!;
    i++;
    letters.add(letter);
    if (text[i] !== '(') continue;
    let depth = 1;
    let quoted = false;
    let arg = '';
    let j = i + 1;
    for (; j < text.length; j++) {
      const ch = text[j]!;
      if (ch === '\\' && j + 1 < text.length) {
        arg += text[++j];
        continue;
      }
      if (ch === '"') quoted = !quoted;
      else if (!quoted && ch === '(') depth++;
      else if (!quoted && ch === ')' && --depth === 0) break;
      arg += ch;
    }
    if (depth !== 0) return { ok: false, error: `Missing closing parenthesis for argument '${letter}' in string '${text}'` };
    args.set(letter, arg);
    i = j + 1;
  }
  return { ok: true, options: { letters, args } };
}

/** `^` → `,` (Asterisk's sub-argument delimiter inside Dial option arguments). */
export function subArgsToCommas(text: string): string {
  return text.replaceAll('^', ',');
}

/** b()/B(): `[[context^]exten^]priority[(arg1^arg2…)]` as a Gosub location. */
export function predialLocation(arg: string): string {
  return subArgsToCommas(arg.trim());
}

/** U(): `context[^arg1[^arg2…]]` runs `context,s,1(args)`. */
export function calleeGosubLocation(arg: string): string {
  const text = subArgsToCommas(arg.trim());
  const comma = text.indexOf(',');
  if (comma < 0) return `${text},s,1`;
  return `${text.slice(0, comma)},s,1(${text.slice(comma + 1)})`;
}

/** S(x): hang up x seconds after the answer (fractions allowed); null when x is not > 0. */
export function parseDurationStop(arg: string): number | null {
  const n = Number.parseFloat(arg.trim());
  return Number.isFinite(n) && n > 0 ? Math.round(n * 1000) : null;
}

export interface CallLimit {
  /** Answered time allowed, ms. */
  limitMs: number;
  /** Warn this many ms before the end (0: no warning). Needs media: not played yet. */
  warningMs: number;
  /** Repeat the warning every this many ms (0: once). */
  repeatMs: number;
}

/**
 * L(x[:y[:z]]): x ms of answered time; y ms before the end a warning, repeated every z ms.
 * x must be > 0 (Asterisk refuses `L()` and `L(0)`); a warning not shorter than the limit is dropped.
 */
export function parseCallLimit(arg: string): CallLimit | null {
  const [x = '', y = '', z = ''] = arg.split(':');
  const limitMs = Number.parseInt(x.trim(), 10);
  if (!Number.isFinite(limitMs) || limitMs <= 0) return null;
  const whole = (s: string): number => {
    const n = Number.parseInt(s.trim(), 10);
    return Number.isFinite(n) && n > 0 ? n : 0;
  };
  let warningMs = whole(y);
  if (warningMs >= limitMs) warningMs = 0;
  return { limitMs, warningMs, repeatMs: warningMs > 0 ? whole(z) : 0 };
}

/** Asterisk's yes/no reading of a variable (ast_true). */
function isTrue(v: string | undefined): boolean {
  return /^(yes|true|y|t|1|on)$/i.test((v ?? '').trim());
}

/**
 * The L() settings as Asterisk logs them when a limit is set, with the LIMIT_* variables it reads
 * from the caller (LIMIT_PLAYAUDIO_CALLER is yes unless set, LIMIT_PLAYAUDIO_CALLEE no unless set).
 * herald has no media yet: the warning and end sounds are named here, not played.
 */
export function describeCallLimit(limit: CallLimit, chan: DialplanChannel): string {
  const callerVar = chan.getVar('LIMIT_PLAYAUDIO_CALLER');
  const playCaller = callerVar === undefined || callerVar === '' ? true : isTrue(callerVar);
  const playCallee = isTrue(chan.getVar('LIMIT_PLAYAUDIO_CALLEE'));
  const sound = (name: string, fallback: string): string => chan.getVar(name) || fallback;
  return (
    `Call limit: ${limit.limitMs} ms of talk; warning ${limit.warningMs} ms before the end, repeated every ${limit.repeatMs} ms; ` +
    `sounds for the caller ${playCaller ? 'yes' : 'no'}, for the callee ${playCallee ? 'yes' : 'no'}; ` +
    `warning '${sound('LIMIT_WARNING_FILE', 'timeleft')}', end '${sound('LIMIT_TIMEOUT_FILE', '')}', start '${sound('LIMIT_CONNECT_FILE', '')}' ` +
    '(not played: they need media)'
  );
}

/** What U()'s GOSUB_RESULT tells Dial to do (app_dial, after the callee's Gosub). */
export type CalleeGosubVerdict =
  /** Empty, unset or a value Dial does not know: bridge the call. */
  | { kind: 'bridge' }
  /** Hang up the callee; DIALSTATUS becomes status; the caller's dialplan goes on. */
  | { kind: 'status'; status: 'BUSY' | 'CONGESTION' | 'CHANUNAVAIL' }
  /** Hang up the callee; the caller's dialplan goes on (DIALSTATUS stays ANSWER). */
  | { kind: 'continue' }
  /** Hang up both (the caller goes on only with `g`). */
  | { kind: 'abort' }
  /** Hang up the callee; the caller goes on at target (a bad target behaves like ABORT). */
  | { kind: 'goto'; target: string };

export function calleeGosubVerdict(result: string | undefined): CalleeGosubVerdict {
  const r = (result ?? '').trim();
  const upper = r.toUpperCase();
  if (upper === 'BUSY' || upper === 'CONGESTION' || upper === 'CHANUNAVAIL') return { kind: 'status', status: upper };
  if (upper === 'CONTINUE') return { kind: 'continue' };
  if (upper === 'ABORT') return { kind: 'abort' };
  if (upper.startsWith('GOTO:')) return { kind: 'goto', target: subArgsToCommas(r.slice(5)) };
  return { kind: 'bridge' };
}

/** Resolve a GOTO: target (`[[context,]exten,]priority`) for the caller; null when it does not parse. */
export function resolveGotoVerdict(target: string, chan: DialplanChannel, services: PbxServices): GotoTarget | null {
  const parsed = parseGotoTarget(target, chan, services);
  return parsed.ok ? parsed.target : null;
}

/**
 * What Dial returns for the caller after a U() verdict other than bridge (the callee is hung up
 * by Dial): BUSY/CONGESTION/CHANUNAVAIL set DIALSTATUS and go on, CONTINUE goes on, GOTO jumps
 * the caller, ABORT (or a GOTO that does not resolve) ends the caller's dialplan unless `g`.
 * A caller that hung up meanwhile always ends.
 */
export function afterCalleeVerdict(
  chan: DialplanChannel,
  services: PbxServices,
  verdict: Exclude<CalleeGosubVerdict, { kind: 'bridge' }>,
  goOnFlag: boolean,
): AppResult {
  let goOn: boolean;
  let jump: GotoTarget | null = null;
  if (verdict.kind === 'status') {
    chan.setVar('DIALSTATUS', verdict.status);
    goOn = true;
  } else if (verdict.kind === 'continue') goOn = true;
  else if (verdict.kind === 'goto') {
    jump = resolveGotoVerdict(verdict.target, chan, services);
    goOn = jump !== null || goOnFlag;
  } else goOn = goOnFlag;
  if (!goOn || chan.hungUp) return { kind: 'hangup' };
  if (jump) {
    jumpTo(chan, jump);
    return { kind: 'jumped' };
  }
  return { kind: 'continue' };
}

/** What Dial reads from its options before dialling; a string is the reason they are invalid. */
export interface DialPlan {
  opts: DialOptions;
  /** End the bridge this long after it starts (S() in s, L() in ms; the smaller wins). */
  stopAfterMs: number | null;
  predialCaller: string | null;
  predialCallee: string | null;
  calleeGosub: string | null;
}

export function dialPlanFrom(options: string, services: PbxServices, chan: DialplanChannel): DialPlan | string {
  const parsed = parseDialOptions(options);
  if (!parsed.ok) return parsed.error;
  const opts = parsed.options;
  let stopAfterMs: number | null = null;
  if (opts.letters.has('S')) {
    const arg = opts.args.get('S') ?? '';
    const ms = parseDurationStop(arg);
    if (ms === null) return `Dial does not accept S(${arg})`;
    stopAfterMs = ms;
  }
  if (opts.letters.has('L')) {
    const arg = opts.args.get('L') ?? '';
    const limit = parseCallLimit(arg);
    if (limit === null) return `Dial does not accept L(${arg})`;
    stopAfterMs = stopAfterMs === null ? limit.limitMs : Math.min(stopAfterMs, limit.limitMs);
    services.verbose(3, describeCallLimit(limit, chan));
  }
  const nonEmpty = (letter: string): string | null => {
    const a = opts.args.get(letter);
    return opts.letters.has(letter) && a !== undefined && a.trim() !== '' ? a : null;
  };
  const b = nonEmpty('b');
  const B = nonEmpty('B');
  const U = nonEmpty('U');
  return {
    opts,
    stopAfterMs,
    predialCaller: B === null ? null : predialLocation(B),
    predialCallee: b === null ? null : predialLocation(b),
    calleeGosub: U === null ? null : calleeGosubLocation(U),
  };
}
