/** A Bull Board session just opened; its token travels only in the HttpOnly cookie. */
export class QueueBoardSession {
  /** Where the board is: `/admin/queues/board`. */
  url!: string;
  /** When the session's cookie stops being accepted (ISO 8601). */
  expiresAt!: string;
}
