import { ChildProcess } from 'node:child_process';

/**
 * Whether a child process has ended: with an exit code, or killed by a signal, when its exit code
 * stays null. Checking the code alone takes a killed process for a running one, and waiting for
 * its 'exit' event then waits for good: the event has already been emitted.
 */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}
