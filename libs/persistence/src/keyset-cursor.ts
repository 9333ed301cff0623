/** A cursor that cannot be decoded: the client sent something no page ever returned. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/**
 * Where a keyset page ended: the (timestamp, id) of its last row, exact to the microsecond (log
 * entries by their time, workflows by their creation).
 */
export interface KeysetPosition {
  /** UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  timestamp: string;
  id: string;
}

/** SQL that renders a timestamptz column as {@link KeysetPosition.timestamp}. */
export function keysetTimestampSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

const POSITION =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Opaque to clients: base64url of `timestamp|id`. */
export function encodeKeysetCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.timestamp}|${position.id}`).toString('base64url');
}

export function decodeKeysetCursor(cursor: string): KeysetPosition {
  const match = POSITION.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new InvalidCursorError('cursor must be the nextCursor of a previous page');
  return { timestamp: match[1], id: match[2] };
}
