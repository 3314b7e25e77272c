/**
 * The dialplan as loaded from extensions.conf (src/pbx/loader.ts) and looked up by the engine
 * (src/pbx/engine.ts). The lookup functions live in src/pbx/dialplan.ts:
 *
 *   class Dialplan {
 *     contexts: Map<string, DialplanContext>   (context names are case-sensitive, as in Asterisk)
 *     globals: Array<[string, string]>          ([globals] in file order, values unsubstituted)
 *     general: DialplanGeneral
 *     warnings: ConfDiagnostic[]                (file:line problems found while loading)
 *     findExtension(context, exten, callerId: string | null): FoundExtension | null
 *         Asterisk's rule: walk the context's extensions in sort order, then includes (depth-first,
 *         include time specs checked at lookup time), take the first that matches exten (and the
 *         caller-ID match if any). Used with the priority below:
 *     findPriority(context, exten, priority: number, callerId): FoundPriority | null
 *         first extension in that order that matches AND has the priority (Asterisk's lookup rule)
 *     findLabel(context, exten, label: string, callerId): FoundPriority | null
 *     exists / canMatch / matchMore(context, exten, callerId): boolean
 *     hints(): HintEntry[]
 *   }
 */

export interface DialplanPriority {
  priority: number;
  label: string | null;
  /** Application name as written. */
  app: string;
  /** Raw application data, unsubstituted (what `dialplan show` prints inside the parentheses). */
  appData: string;
  file: string;
  line: number;
}

export interface DialplanHint {
  /** Device part, e.g. "SIP/2000&Custom:dnd2000" (may be empty for a presence-only hint). */
  devices: string;
  /** Presence part after the first comma, e.g. "CustomPresence:2000" (may be empty). */
  presence: string;
  file: string;
  line: number;
}

export interface DialplanExtension {
  /** As written, e.g. "555", "_7XXXX", "s", "h". */
  name: string;
  isPattern: boolean;
  /** `exten => 123/456,…` caller-ID match, null when none (a leading '_' makes it a pattern). */
  cidMatch: string | null;
  /** Sorted by priority number. */
  priorities: DialplanPriority[];
  hint: DialplanHint | null;
}

export interface TimeSpec {
  /** "*" or "hh:mm-hh:mm", days-of-week, days-of-month, months, optional timezone — as written. */
  raw: string;
}

export interface DialplanInclude {
  context: string;
  timeSpec: TimeSpec | null;
  file: string;
  line: number;
}

export interface DialplanContext {
  name: string;
  /** In Asterisk's sort order (the order `dialplan show` prints and lookup walks). */
  extensions: DialplanExtension[];
  includes: DialplanInclude[];
  ignorePats: string[];
  /** `switch =>` lines: parsed, reported at load as unsupported, never used. */
  switches: string[];
  /** Who created it, shown by `dialplan show`: "pbx_config" for extensions.conf. */
  registrar: string;
}

export interface DialplanGeneral {
  static: boolean;
  writeprotect: boolean;
  /** Default true (Asterisk 1.6+). */
  autofallthrough: boolean;
  clearglobalvars: boolean;
}

export interface FoundExtension {
  context: DialplanContext;
  extension: DialplanExtension;
}

export interface FoundPriority extends FoundExtension {
  priority: DialplanPriority;
}

export interface HintEntry {
  context: string;
  exten: string;
  hint: DialplanHint;
}
