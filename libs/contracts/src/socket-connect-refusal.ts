/**
 * Why the gateway refused a Socket.IO connection: the `data.code` of the client's `connect_error`.
 * Socket.IO does not retry a connection its server refused, so a client decides by this code.
 */
export enum SocketConnectRefusal {
  /** No valid API key in `auth.token`: connecting again with the same key cannot succeed. */
  Unauthorized = 'UNAUTHORIZED',
  /** This gateway is shutting down: connect again shortly (another replica, or this one restarted). */
  ShuttingDown = 'SHUTTING_DOWN',
  /** The key could not be checked (Redis or PostgreSQL away): connecting again may succeed. */
  Internal = 'INTERNAL',
}
