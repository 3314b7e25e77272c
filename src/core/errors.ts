/** Coded errors: each carries a stable code and, where it maps to one, a SIP status. */
export class HeraldError extends Error {
  readonly code: string;
  readonly sipStatus: number | undefined;
  constructor(code: string, message: string, opts: { sipStatus?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'HeraldError';
    this.code = code;
    this.sipStatus = opts.sipStatus;
  }
}
