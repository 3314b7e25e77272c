/**
 * Call detail records with Asterisk's cdr.conf/cdr_csv field names (facts from the CDR docs):
 * one record per call, keyed by the calling channel's linkedid, disposition ANSWERED /
 * NO ANSWER / BUSY / FAILED, duration from channel creation and billsec from the answer.
 */
export type CdrDisposition = 'ANSWERED' | 'NO ANSWER' | 'BUSY' | 'FAILED';

export interface CdrRecord {
  /** Call start, local time `YYYY-MM-DD HH:MM:SS`. */
  calldate: string;
  /** `"name" <number>`. */
  clid: string;
  src: string;
  dst: string;
  dcontext: string;
  channel: string;
  dstchannel: string;
  lastapp: string;
  lastdata: string;
  /** Seconds from start to hangup. */
  duration: number;
  /** Seconds from answer to hangup (0 unanswered). */
  billsec: number;
  disposition: CdrDisposition;
  amaflags: string;
  accountcode: string;
  uniqueid: string;
  linkedid: string;
  userfield: string;
  /** Epoch ms of start, answer (null) and end — for ordering and exact figures. */
  startMs: number;
  answerMs: number | null;
  endMs: number;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

export function formatCdrDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Asterisk's merged caller id text: `"name" <num>`, or just the one that is set. */
export function formatClid(name: string, num: string): string {
  if (name && num) return `"${name}" <${num}>`;
  if (num) return num;
  return name ? `"${name}"` : '';
}

/** DIALSTATUS (and whether the channel was answered) → disposition. */
export function dispositionFor(answered: boolean, dialStatus: string): CdrDisposition {
  if (answered) return 'ANSWERED';
  switch (dialStatus.toUpperCase()) {
    case 'BUSY':
      return 'BUSY';
    case 'CONGESTION':
    case 'CHANUNAVAIL':
      return 'FAILED';
    default:
      return 'NO ANSWER';
  }
}
