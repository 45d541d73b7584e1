import { createHash, timingSafeEqual } from 'node:crypto';

/** Outcome of checking a request's `Authorization` header. */
export type AuthResult = 'ok' | 'missing' | 'invalid';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Checks `Authorization: Bearer <token>` in constant time. Both sides are hashed first so the
 * comparison always runs over 32 bytes: neither the token's content nor its length leaks through
 * timing.
 */
export class BearerAuth {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digest(token);
  }

  check(authorization: string | undefined): AuthResult {
    if (authorization === undefined) return 'missing';
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (match === null || match[1] === undefined) return 'invalid';
    return timingSafeEqual(digest(match[1]), this.expected) ? 'ok' : 'invalid';
  }
}
