/**
 * Verbose([level,]message) and Log(level,message) (asterisk-dialplan-xmpp.md §5.3): standard
 * argument splitting with the message as the last (verbatim) argument; Verbose levels above 4
 * are capped, a bad level warns and uses 0.
 */
import type { AppResult, DialplanApplication } from '../types.js';
import { splitStandard } from './split.js';

const CONTINUE: AppResult = { kind: 'continue' };

export const verboseApp: DialplanApplication = {
  name: 'Verbose',
  synopsis: 'Print a message on the console at a verbosity level',
  syntax: 'Verbose([level,]message)',
  description:
    'Shows message on consoles whose verbosity is at least level (0 to 4, default 0). Everything ' +
    'after the first comma is the message, commas and quotes included.',
  exec(call) {
    if (call.data === '') return CONTINUE;
    const args = splitStandard(call.data, 2);
    let level = 0;
    let msg: string;
    if (args.length < 2) msg = args[0] ?? '';
    else {
      msg = args[1]!;
      const m = /^\s*\+?(\d+)/.exec(args[0]!);
      if (!m) call.services.log.warn(`'${args[0]}' is not a verboser number`);
      else level = Math.min(4, Number(m[1]));
    }
    call.services.verbose(level, msg);
    return CONTINUE;
  },
};

type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const LOG_LEVELS: Record<string, LogLevel | 'verbose'> = {
  ERROR: 'error',
  WARNING: 'warn',
  NOTICE: 'info',
  DEBUG: 'debug',
  DTMF: 'info',
  VERBOSE: 'verbose',
};

export const logApp: DialplanApplication = {
  name: 'Log',
  synopsis: 'Write a message to the log at a level',
  syntax: 'Log(level,message)',
  description:
    'level is ERROR, WARNING, NOTICE, DEBUG, VERBOSE or DTMF. The log line carries the extension, ' +
    'context and priority that wrote it.',
  exec(call) {
    if (call.data === '') return CONTINUE;
    const [lvl = '', msg = ''] = splitStandard(call.data, 2);
    const level = LOG_LEVELS[lvl.trim().toUpperCase()];
    const chan = call.channel;
    if (!level) {
      call.services.log.error(`Unknown log level: '${lvl}'`);
      return CONTINUE;
    }
    if (level === 'verbose') call.services.verbose(0, msg);
    else call.services.log[level]({ exten: chan.exten, context: chan.context, priority: chan.priority }, msg);
    return CONTINUE;
  },
};
