/** One CLI command: thin glue between arguments and the libraries (like kind's cmd/ over pkg/). */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Returns the exit code: 0 success, 1 a negative answer (e.g. a failed grade), 2 invalid input. */
  run(argv: string[], io: IO): number | Promise<number>;
}

export interface IO {
  out(text: string): void;
  err(text: string): void;
}
