/**
 * The shape every Asterisk-style .conf file is read into by the lexer (src/config/lexer.ts).
 * Typed loaders per file (sip.conf, extensions.conf, jabber.conf, herald.conf …) take a
 * ConfDocument and never look at raw text.
 */
export type ConfOp = '=' | '=>' | '+=';

export interface ConfEntry {
  key: string;
  /** Value with comments removed, `\;` unescaped, surrounding white space trimmed. */
  value: string;
  op: ConfOp;
  /** Where the line came from (the included file, for #include). */
  file: string;
  line: number;
  /** True when the entry was copied in from a template. */
  inherited: boolean;
}

export interface ConfSection {
  name: string;
  /** `[name](!)` — a template, not a real section. */
  isTemplate: boolean;
  /** Template names listed in `[name](a,b)`, in order. */
  templates: string[];
  /** Entries in file order: inherited template entries first (in template order), then own. */
  entries: ConfEntry[];
  file: string;
  line: number;
}

export interface ConfDiagnostic {
  file: string;
  line: number;
  message: string;
}

export interface ConfDocument {
  /** The top-level file that was loaded. */
  file: string;
  /** Every file read, top-level first (for reload change detection). */
  files: string[];
  /** All sections in order of appearance; templates included (isTemplate=true). A name may repeat. */
  sections: ConfSection[];
  /** Non-fatal problems (a line outside any section, an unknown directive …). */
  warnings: ConfDiagnostic[];
}

/** A fatal problem in a config file: the whole file is refused and the caller keeps the old config. */
export class ConfError extends Error {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'ConfError';
    this.file = file;
    this.line = line;
  }
}

/** Asterisk's ast_true(): yes, true, y, t, 1, on. */
export function confTrue(v: string | undefined): boolean {
  if (v === undefined) return false;
  return /^(yes|true|y|t|1|on)$/i.test(v.trim());
}

/** Asterisk's ast_false(): no, false, n, f, 0, off. */
export function confFalse(v: string | undefined): boolean {
  if (v === undefined) return false;
  return /^(no|false|n|f|0|off)$/i.test(v.trim());
}
