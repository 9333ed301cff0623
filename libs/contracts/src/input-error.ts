/**
 * One thing wrong with a workflow's input, as a 422 answer (`errors`) and an `INVALID_INPUT`
 * socket ack list them.
 */
export class InputError {
  /** A JSON Pointer into the input, e.g. `/request`; `` (empty) for the input as a whole. */
  path!: string;
  /** What is wrong there, e.g. `is required`, `must be string`. */
  message!: string;
}
