/** Where a worker writes its own lines (not a workflow's log): Nest's Logger fits, as does console. */
export interface WorkerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Lines on standard output and error, each with the worker's name: a worker's default. */
export function consoleLogger(name: string): WorkerLogger {
  /* eslint-disable no-console -- a worker outside Nest has no logger but the console */
  const line = (message: string) => `${new Date().toISOString()} [${name}] ${message}`;
  return {
    log: (message) => console.log(line(message)),
    warn: (message) => console.warn(line(message)),
    error: (message) => console.error(line(message)),
  };
  /* eslint-enable no-console */
}
