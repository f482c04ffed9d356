/**
 * @module
 * The runner's structured log: one JSON object a line (time, event, and what the event is
 * about), for an operator and their tools — not for learners, who see status on the page.
 * Events: session.created/ready/failed/ended, refused (a bad Origin, token or limit), error.
 */
export interface LogEntry {
  event: string;
  [field: string]: unknown;
}

export type Log = (entry: LogEntry) => void;

/** JSON lines on a stream (stderr for `flatnet serve`). */
export function jsonLines(write: (line: string) => void): Log {
  return (entry) => write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
}

export const silent: Log = () => {};
