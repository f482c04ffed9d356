/** A benchmark prints figures; it never passes or fails (timings do not belong in tests). */
export interface Bench {
  name: string;
  /** The figure the issue asks for, printed beside the result. */
  goal: string;
  run(report: (row: Record<string, string | number>) => void): void | Promise<void>;
}
