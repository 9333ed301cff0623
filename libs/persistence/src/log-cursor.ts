/** A cursor that cannot be decoded: the client sent something no page ever returned. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** The (timestamp, id) of the last entry of a page, exact to the microsecond. */
export interface LogPosition {
  /** UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  timestamp: string;
  id: string;
}

const POSITION =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Opaque to clients: base64url of `timestamp|id`. */
export function encodeLogCursor(position: LogPosition): string {
  return Buffer.from(`${position.timestamp}|${position.id}`).toString('base64url');
}

export function decodeLogCursor(cursor: string): LogPosition {
  const match = POSITION.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new InvalidCursorError('cursor must be the nextCursor of a previous page');
  return { timestamp: match[1], id: match[2] };
}
