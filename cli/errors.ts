/** Bad command line: exit 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';
}

/** The input cannot be used: exit 1 with this message. */
export class InputError extends Error {
  readonly code = 'BAD_INPUT';
}
