// The one error every loader throws for an image it refuses (corrupt, truncated, unsupported, does not
// fit in RAM). Its message is a single line meant for the user as is; the CLI prints it (prefixed with
// the file name) and exits non-zero. Anything else a loader throws is a bug.

export class LoaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoaderError';
  }
}

/** `0x` + lowercase hex, as every loader message writes addresses. */
export function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}
