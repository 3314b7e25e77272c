/**
 * The control-socket protocol between `herald -r`/`-rx` and the running server: one JSON object
 * per line (JSON.stringify never emits a raw newline, so a line is always one whole message).
 *
 *   client → server   {id, command}          run one CLI line          → {id, output, ok}
 *                     {id, complete}         candidates for TAB         → {id, matches}
 *                     {id, console: N}       push console lines ≤ N     → {id, ok: true}
 *   server → client   {verbose: {level, text}}  a pushed console line (after {console})
 *                     {error}                   protocol error; the server then closes
 */
export const MAX_REQUEST_BYTES = 64 * 1024;
export const MAX_CONNECTIONS = 64;
export const CONTROL_SOCKET_NAME = 'herald.ctl';
export const PID_FILE_NAME = 'herald.pid';

export type ControlRequest =
  | { id: number; command: string }
  | { id: number; complete: string }
  | { id: number; console: number };

export interface CommandResponse { id: number; output: string; ok: boolean }
export interface CompleteResponse { id: number; matches: string[] }
export interface ConsoleResponse { id: number; ok: boolean }
export interface VerbosePush { verbose: { level: number; text: string } }
export interface ErrorPush { error: string }

export type ControlMessage = CommandResponse | CompleteResponse | ConsoleResponse | VerbosePush | ErrorPush;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates one decoded line from a client; returns a description of the problem when invalid. */
export function parseRequest(line: string): ControlRequest | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return 'request is not JSON';
  }
  if (!isRecord(v) || typeof v.id !== 'number' || !Number.isSafeInteger(v.id)) return 'request needs a numeric id';
  if (typeof v.command === 'string') return { id: v.id, command: v.command };
  if (typeof v.complete === 'string') return { id: v.id, complete: v.complete };
  if (typeof v.console === 'number' && Number.isInteger(v.console)) return { id: v.id, console: v.console };
  return 'request needs one of command, complete or console';
}

/** Splits a byte stream into lines; refuses lines longer than the limit. */
export class LineDecoder {
  private buffer = '';
  constructor(private readonly maxLineBytes: number = MAX_REQUEST_BYTES) {}

  /** Returns complete lines; throws RangeError when an unfinished line exceeds the limit. */
  push(chunk: string): string[] {
    this.buffer += chunk;
    const lines: string[] = [];
    let nl = this.buffer.indexOf('\n');
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (Buffer.byteLength(line) > this.maxLineBytes) throw new RangeError('request too large');
      if (line.trim() !== '') lines.push(line);
      nl = this.buffer.indexOf('\n');
    }
    if (Buffer.byteLength(this.buffer) > this.maxLineBytes) throw new RangeError('request too large');
    return lines;
  }
}

export function encode(msg: ControlRequest | ControlMessage): string {
  return `${JSON.stringify(msg)}\n`;
}
