/**
 * Stands in for a large step output in the workflow context, state and events: the output
 * itself is stored once under its SHA-256, so queue payloads, state and events stay small.
 * `GET /workflows/:id/outputs/:stepId` returns it in full.
 */
export interface OutputReference {
  $ref: `sha256:${string}`;
  bytes: number;
}

export function isOutputReference(value: unknown): value is OutputReference {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { $ref?: unknown }).$ref === 'string' &&
    (value as { $ref: string }).$ref.startsWith('sha256:') &&
    typeof (value as { bytes?: unknown }).bytes === 'number'
  );
}
