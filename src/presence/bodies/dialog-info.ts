/**
 * application/dialog-info+xml (RFC 4235): one <dialog> for the watched extension, state="full",
 * version counting per subscription from 0 (§4.1: incremented for each new document).
 *
 * herald form: schema order (state, local, remote); early dialogs say direction="recipient" and
 * carry the caller as <remote> identity/target when the call layer knows who is ringing (what
 * BLF phones show and use for pickup); hold is the +sip.rendering=no target parameter with the
 * schema's `pval` attribute.
 * asterisk form: chan_sip's body (observed §6.5): `<?xml version="1.0"?>`, no indentation,
 * only <state> (plus chan_sip's hold block with `pvalue`).
 */
import { chanSipWords, stateWords } from './exten-state.js';
import type { ExtenStateBodyInput, RingingCaller } from './types.js';
import { escapeXml } from './xml.js';

const NS = 'urn:ietf:params:xml:ns:dialog-info';

/** sip:NUMBER@host-of-presentity — the caller as the phone should dial/show it. */
function callerUri(caller: RingingCaller, presentityUri: string): string {
  const at = presentityUri.indexOf('@');
  const hostPart = at >= 0 ? presentityUri.slice(at + 1) : presentityUri.replace(/^sips?:/, '');
  const host = hostPart.split(/[;>?]/)[0] as string;
  const user = caller.number !== '' ? caller.number : 'anonymous';
  return `sip:${user}@${host}`;
}

export function buildDialogInfo(input: ExtenStateBodyInput): string {
  if (input.compat === 'asterisk') {
    const w = chanSipWords(input.state, input.allDevicesUnavailable === true);
    let out = '<?xml version="1.0"?>\n';
    out += `<dialog-info xmlns="${NS}" version="${input.version}" state="full" entity="${escapeXml(input.presentityUri)}">\n`;
    out += w.dialogState === 'early' ? `<dialog id="${escapeXml(input.exten)}" direction="recipient">\n` : `<dialog id="${escapeXml(input.exten)}">\n`;
    out += `<state>${w.dialogState}</state>\n`;
    if (input.state === 16) {
      out += `<local>\n<target uri="${escapeXml(input.presentityUri)}">\n<param pname="+sip.rendering" pvalue="no"/>\n</target>\n</local>\n`;
    }
    out += '</dialog>\n</dialog-info>\n';
    return out;
  }
  const w = stateWords(input.state);
  const entity = escapeXml(input.presentityUri);
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n';
  out += `<dialog-info xmlns="${NS}" version="${input.version}" state="full" entity="${entity}">\n`;
  // RFC 4235 dialog id is a plain string: the extension, as both Asterisks write it.
  out += ` <dialog id="${escapeXml(input.exten)}"${w.recipient ? ' direction="recipient"' : ''}>\n`;
  out += `  <state>${w.dialogState}</state>\n`;
  out += '  <local>\n';
  out += `   <identity>${entity}</identity>\n`;
  if (w.onHold) {
    out += `   <target uri="${entity}">\n    <param pname="+sip.rendering" pval="no" />\n   </target>\n`;
  } else {
    out += `   <target uri="${entity}" />\n`;
  }
  out += '  </local>\n';
  const caller = w.dialogState === 'early' ? input.ringingCaller : null;
  if (caller) {
    const uri = escapeXml(callerUri(caller, input.presentityUri));
    const display = caller.name !== '' ? ` display="${escapeXml(caller.name)}"` : '';
    out += `  <remote>\n   <identity${display}>${uri}</identity>\n   <target uri="${uri}" />\n  </remote>\n`;
  }
  out += ' </dialog>\n</dialog-info>\n';
  return out;
}
