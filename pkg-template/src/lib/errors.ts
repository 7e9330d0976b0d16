/**
 * The one error type the package throws. `code` is stable and machine-readable
 * (the engine's own codes pass through unchanged), so callers can branch on it
 * instead of parsing messages.
 */
export type HeadroomErrorCode =
  // Raised by this package.
  | 'invalid_input'
  | 'invalid_options'
  | 'unknown_shape'
  | 'not_initialized'
  | 'store_error'
  | 'unsupported_client'
  | 'engine_trap'
  // Reported by the engine (see docs/abi.md).
  | 'invalid_utf8'
  | 'invalid_request'
  | 'invalid_tool_context'
  | 'invalid_body'
  | 'messages_error'
  | (string & {});

export class HeadroomError extends Error {
  readonly code: HeadroomErrorCode;

  constructor(code: HeadroomErrorCode, message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = 'HeadroomError';
    this.code = code;
    if (options && 'cause' in options) {
      // Assigned rather than passed to `super` so ES2020 targets keep it too.
      (this as { cause?: unknown }).cause = options.cause;
    }
  }
}

/**
 * Turn anything thrown while compressing into a HeadroomError, keeping the
 * engine's error code when it sent one. A `WebAssembly.RuntimeError` is a trap
 * inside the engine (a bug, never bad input), so it gets its own code.
 */
export function toHeadroomError(err: unknown): HeadroomError {
  if (err instanceof HeadroomError) return err;
  if (typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError) {
    return new HeadroomError('engine_trap', `the engine trapped: ${err.message}`, { cause: err });
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return new HeadroomError(typeof code === 'string' ? code : 'messages_error', err.message, { cause: err });
  }
  if (err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string') {
    const { code, message } = err as { code: string; message?: unknown };
    return new HeadroomError(code, typeof message === 'string' ? message : code, { cause: err });
  }
  return new HeadroomError('messages_error', String(err), { cause: err });
}
