/** Codes of the errors `startAdminServer` rejects with. */
export type AdminServerErrorCode =
  /** A non-loopback bind address without a token: anyone on the network could read and change breakers. */
  | 'EADMININSECURE'
  /** A bad option (port, empty token...). */
  | 'EADMINCONFIG';

/** Why the admin endpoint refused to start; the message says what to change. */
export class AdminServerError extends Error {
  override readonly name = 'AdminServerError';

  constructor(
    readonly code: AdminServerErrorCode,
    message: string,
  ) {
    super(message);
  }
}
