/**
 * NOTIFY body builders (pure functions). buildExtenStateBody picks the document for a media
 * type; the others are exported for direct use and tests.
 */
import { buildDialogInfo } from './dialog-info.js';
import { buildPidf } from './pidf.js';
import type { BodyType, ExtenStateBodyInput } from './types.js';
import { buildXpidf } from './xpidf.js';

export type { BodyType, ExtenStateBodyInput, MessageSummaryInput, PresenceCompat, RingingCaller } from './types.js';
export { buildPidf, presenceActivity } from './pidf.js';
export { buildXpidf } from './xpidf.js';
export { buildDialogInfo } from './dialog-info.js';
export { buildMessageSummary } from './message-summary.js';
export { escapeXml, xmlId } from './xml.js';
export { stateWords, chanSipWords } from './exten-state.js';

/** The body of an extension-state NOTIFY (presence or dialog package) in the given media type. */
export function buildExtenStateBody(type: Exclude<BodyType, 'application/simple-message-summary'>, input: ExtenStateBodyInput): string {
  switch (type) {
    case 'application/pidf+xml':
      return buildPidf(input);
    case 'application/xpidf+xml':
    case 'application/cpim-pidf+xml':
      return buildXpidf(input);
    case 'application/dialog-info+xml':
      return buildDialogInfo(input);
  }
}
