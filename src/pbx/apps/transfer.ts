/**
 * Transfer([Tech/]destination[,options]): blind transfer of the channel running the dialplan
 * (facts from Asterisk's app_transfer):
 *  - no destination → a warning and TRANSFERSTATUS=FAILURE;
 *  - a Tech/ prefix that is not the channel's technology (compared case-insensitively) → FAILURE;
 *  - a channel whose technology cannot transfer → UNSUPPORTED;
 *  - otherwise the technology transfers it: SUCCESS or FAILURE, and TRANSFERSTATUSPROTOCOL the
 *    protocol's result code (the SIP status that decided it; 0 when there was none).
 * The dialplan goes on either way. Options are accepted and ignored (Asterisk has none).
 */
import type { AppResult, DialplanApplication, DialplanChannel } from '../types.js';
import { watchHangup } from './channel-wait.js';

export interface TransferOutcome {
  ok: boolean;
  /** TRANSFERSTATUSPROTOCOL: the protocol's status code that decided the outcome, 0 when none. */
  protocol: number;
}

/** A channel that its technology can transfer. */
export interface TransferLine {
  /** The technology's name as in channel names ("SIP"). */
  readonly technology: string;
  transfer(destination: string): Promise<TransferOutcome>;
}

export interface TransferDeps {
  /** The channel's transfer capability, null when its technology has none. */
  transferLine(chan: DialplanChannel): TransferLine | null;
}

const CONTINUE: AppResult = { kind: 'continue' };

/** The technology of a channel from its name: `SIP/1000-0001` → `SIP`. */
function technologyOfName(name: string): string {
  const slash = name.indexOf('/');
  return slash > 0 ? name.slice(0, slash) : '';
}

export async function transfer(chan: DialplanChannel, data: string, deps: TransferDeps, warn: (text: string) => void): Promise<AppResult> {
  const setStatus = (status: 'SUCCESS' | 'FAILURE' | 'UNSUPPORTED', protocol: number | null): void => {
    chan.setVar('TRANSFERSTATUS', status);
    if (protocol !== null) chan.setVar('TRANSFERSTATUSPROTOCOL', String(protocol));
  };
  let destination = (data.split(',')[0] ?? '').trim();
  if (destination === '') {
    warn('Transfer requires an argument ([Tech/]destination)');
    setStatus('FAILURE', null);
    return CONTINUE;
  }
  const line = deps.transferLine(chan);
  const slash = destination.indexOf('/');
  if (slash > 0) {
    const tech = destination.slice(0, slash);
    destination = destination.slice(slash + 1);
    const own = line?.technology ?? technologyOfName(chan.name);
    if (tech.toLowerCase() !== own.toLowerCase()) {
      setStatus('FAILURE', null);
      return CONTINUE;
    }
  }
  if (!line) {
    setStatus('UNSUPPORTED', null);
    return CONTINUE;
  }
  if (chan.hungUp) {
    setStatus('FAILURE', 0);
    return CONTINUE;
  }
  let off: () => void = () => undefined;
  const hungUp = new Promise<TransferOutcome>((resolve) => {
    off = watchHangup(chan, () => resolve({ ok: false, protocol: 0 }));
  });
  try {
    const outcome = await Promise.race([line.transfer(destination), hungUp]);
    setStatus(outcome.ok ? 'SUCCESS' : 'FAILURE', outcome.protocol);
  } finally {
    off();
  }
  return CONTINUE;
}

export function createTransferApp(deps: TransferDeps): DialplanApplication {
  return {
    name: 'Transfer',
    synopsis: 'Hand the caller over to another destination (blind transfer)',
    syntax: 'Transfer([Tech/]destination[,options])',
    description:
      'Asks the caller\'s phone to call the destination itself (SIP: REFER on an answered call, a 302 redirect ' +
      'before the answer) and waits for the result. TRANSFERSTATUS is SUCCESS, FAILURE (also when Tech/ does not ' +
      'name the channel\'s technology) or UNSUPPORTED (the channel cannot be transferred); TRANSFERSTATUSPROTOCOL ' +
      'holds the SIP status that decided it. The dialplan continues afterwards.',
    async exec(call): Promise<AppResult> {
      return transfer(call.channel, call.data, deps, (text) => call.services.log.warn(text));
    },
  };
}
