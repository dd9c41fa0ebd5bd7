// Domain errors: thrown by pure deciders, mapped once to RFC 9457 problem+json by the ProblemFilter.
export type DomainErrorKind =
  'invalid' | 'unauthorized' | 'forbidden' | 'not-found' | 'timeout' | 'conflict' | 'gone' | 'too-large' | 'unprocessable' | 'unavailable';

export class DomainError extends Error {
  readonly name: string = 'DomainError';
  constructor(
    readonly kind: DomainErrorKind,
    /** Stable machine code, the last segment of the problem `type`. */
    readonly code: string,
    message: string,
    /** Extra members of the problem document (e.g. the prior filing of a duplicate). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The problem's `detail`: the message, unless it says more than a client should read. */
  get detail(): string {
    return this.message;
  }
}

export const invalid = (code: string, message: string, ext?: Record<string, unknown>) => new DomainError('invalid', code, message, ext);
export const forbidden = (code: string, message: string) => new DomainError('forbidden', code, message);
export const notFound = (code: string, message: string) => new DomainError('not-found', code, message);
export const tooLarge = (code: string, message: string, ext?: Record<string, unknown>) => new DomainError('too-large', code, message, ext);
export const unprocessable = (code: string, message: string, ext?: Record<string, unknown>) =>
  new DomainError('unprocessable', code, message, ext);
export const conflict = (code: string, message: string, ext?: Record<string, unknown>) => new DomainError('conflict', code, message, ext);
