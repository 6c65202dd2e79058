/**
 * User mistakes are one error class with a stable code; its message names the input and the fix, and the CLI
 * prints it as one line and exits 2 (no stack trace).
 */

export const USAGE_EXIT_CODE = 2;

export type UsageErrorCode =
  | "WC_BAD_FLAG"
  | "WC_BAD_VALUE"
  | "WC_BAD_CONFIG"
  | "WC_OUT_NOT_WRITABLE"
  | "WC_NEEDS_ROOT"
  | "WC_MISSING_TOOL"
  | "WC_UNSUPPORTED"
  /** Another run holds the machine (bench/run/run-lock.ts). */
  | "WC_BUSY";

export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly code: UsageErrorCode;
  constructor(code: UsageErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function isUsageError(error: unknown): error is UsageError {
  return error instanceof UsageError;
}
