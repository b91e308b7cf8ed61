// The typed error every backend call rejects with, so the UI branches on `code`, never on prose.

/** The error codes of docs/IPC.md. */
export const ERROR_CODES = [
  'invalid_input',
  'not_found',
  'conflict',
  'keychain_unavailable',
  'storage',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A rejected backend command: `code` is always one of ERROR_CODES, `field` a dotted input path or null. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  readonly field: string | null;

  constructor(code: ErrorCode, message: string, field: string | null = null) {
    super(message);
    this.name = 'BackendError';
    this.code = code;
    this.field = field;
  }

  /** The message without its leading "field: " prefix, for display next to that field. */
  get detail(): string {
    const prefix = this.field ? `${this.field}: ` : null;
    const text = prefix && this.message.startsWith(prefix) ? this.message.slice(prefix.length) : this.message;
    return text.charAt(0).toUpperCase() + text.slice(1);
  }
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Turns whatever a rejected invoke produced into a BackendError. Only the documented
 * `{code, message, field}` shape keeps its code; anything else becomes `internal`.
 */
export function toBackendError(raw: unknown): BackendError {
  if (raw instanceof BackendError) return raw;
  if (raw !== null && typeof raw === 'object') {
    const obj = raw as Record<string, unknown>;
    const field = obj.field;
    if (
      isErrorCode(obj.code) &&
      typeof obj.message === 'string' &&
      (field === null || field === undefined || typeof field === 'string')
    ) {
      return new BackendError(obj.code, obj.message, field || null);
    }
  }
  return new BackendError('internal', describeUnknown(raw), null);
}

function describeUnknown(raw: unknown): string {
  if (typeof raw === 'string' && raw.trim() !== '') return raw;
  if (raw instanceof Error && raw.message) return raw.message;
  return 'Something went wrong in the app. Please try again.';
}
