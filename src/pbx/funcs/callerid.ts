/**
 * CALLERID(datatype[,CID]) (func_callerid.c, asterisk-dialplan-xmpp.md §2.5).
 * Read: `all` gives `"NAME" <NUMBER>`; name, num/number, ani (ani-num), dnid (dnid-num),
 * rdnis (rdnis-num), pres/num-pres/name-pres, ton (0), tag/subaddr (empty).
 * With a second argument (a caller-id string) the fields are taken from it instead.
 * Write: name, num/number, all (parsed `"Name" <number>`), ani, dnid, rdnis and the
 * presentation items (a name like allowed_not_screened or its number).
 */
import { splitArgs } from '../args.js';
import { FunctionError, type CallerId, type DialplanFunction } from '../types.js';
import { requireChannel } from './common.js';

/** Presentation names and values (ast_named_caller_presentation / ast_parse_caller_presentation). */
const PRESENTATIONS: Array<[string, number]> = [
  ['allowed_not_screened', 0x00],
  ['allowed_passed_screen', 0x01],
  ['allowed_failed_screen', 0x02],
  ['allowed', 0x03],
  ['prohib_not_screened', 0x20],
  ['prohib_passed_screen', 0x21],
  ['prohib_failed_screen', 0x22],
  ['prohib', 0x23],
  ['unavailable', 0x43],
];

function presentationName(text: string): string | null {
  const t = text.trim().toLowerCase();
  const byName = PRESENTATIONS.find(([n]) => n === t);
  if (byName) return byName[0];
  if (/^\d+$/.test(t)) return PRESENTATIONS.find(([, v]) => v === Number(t))?.[0] ?? null;
  return null;
}

/** ast_callerid_parse: `"Name" <number>`, `Name <number>`, a bare number or a bare name. */
export function parseCallerId(text: string): { name: string; num: string } {
  const lt = text.lastIndexOf('<');
  const gt = text.lastIndexOf('>');
  if (lt >= 0 && gt > lt) {
    const num = text.slice(lt + 1, gt).trim();
    let name = text.slice(0, lt).trim();
    if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) name = name.slice(1, -1);
    return { name, num: shrinkNumber(num) };
  }
  const t = text.trim();
  if (/^[0-9+*#()\-. ]+$/.test(t) && /[0-9*#]/.test(t)) return { name: '', num: shrinkNumber(t) };
  return { name: t.startsWith('"') && t.endsWith('"') && t.length >= 2 ? t.slice(1, -1) : t, num: '' };
}

/** ast_shrink_phone_number: drop the visual separators ( ) - . and blanks. */
function shrinkNumber(num: string): string {
  return num.replace(/[()\-. ]/g, '');
}

function readField(cid: CallerId, item: string): string {
  switch (item.toLowerCase()) {
    case 'all':
      return `"${cid.name}" <${cid.num}>`;
    case 'name':
      return cid.name;
    case 'num':
    case 'number':
      return cid.num;
    case 'ani':
    case 'ani-num':
      return cid.ani;
    case 'dnid':
    case 'dnid-num':
      return cid.dnid;
    case 'rdnis':
    case 'rdnis-num':
      return cid.rdnis;
    case 'pres':
    case 'num-pres':
    case 'name-pres':
      return cid.pres;
    case 'ton':
    case 'ani-ton':
      return '0';
    case 'tag':
    case 'subaddr':
    case 'ani-tag':
      return '';
    default:
      throw new FunctionError(`Unknown callerid data type '${item}'.`);
  }
}

export const CALLERID: DialplanFunction = {
  name: 'CALLERID',
  synopsis: 'Gets or sets Caller*ID data on the channel.',
  syntax: 'CALLERID(datatype[,CID])',
  description:
    'Reads or sets the caller id: all ("Name" <number>), name, num, ani, dnid, rdnis, pres. With a second argument, reads the fields of that caller id text instead of the channel\'s.',
  read: (call) => {
    const [item = '', cidText] = splitArgs(call.args, ',', { max: 2 });
    if (item === '') throw new FunctionError('CALLERID requires an argument');
    if (cidText !== undefined) {
      const p = parseCallerId(cidText);
      const l = item.toLowerCase();
      if (l === 'all') return `"${p.name}" <${p.num}>`;
      if (l === 'name') return p.name;
      if (l === 'num' || l === 'number') return p.num;
      throw new FunctionError(`Unknown callerid data type '${item}'.`);
    }
    return readField(requireChannel(call).callerId, item);
  },
  write: (call, value) => {
    const channel = requireChannel(call);
    const item = (splitArgs(call.args, ',', { max: 2 })[0] ?? '').toLowerCase();
    const cid = channel.callerId;
    switch (item) {
      case 'all': {
        const p = parseCallerId(value);
        cid.name = p.name;
        cid.num = p.num;
        return;
      }
      case 'name':
        cid.name = value;
        return;
      case 'num':
      case 'number':
        cid.num = value;
        return;
      case 'ani':
      case 'ani-num':
        cid.ani = value;
        return;
      case 'dnid':
      case 'dnid-num':
        cid.dnid = value;
        return;
      case 'rdnis':
      case 'rdnis-num':
        cid.rdnis = value;
        return;
      case 'pres':
      case 'num-pres':
      case 'name-pres': {
        const name = presentationName(value);
        if (!name) throw new FunctionError(`Unknown calling number presentation '${value}', value unchanged`);
        cid.pres = name;
        return;
      }
      default:
        throw new FunctionError(`Unknown callerid data type '${item}'.`);
    }
  },
};
