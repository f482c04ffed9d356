/** Colours for terminal reports; the runner picks ANSI or plain (pipes, NO_COLOR, CI logs). */
export interface Style {
  pass(s: string): string;
  fail(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export const plain: Style = { pass: (s) => s, fail: (s) => s, dim: (s) => s, bold: (s) => s };

const sgr = (code: string) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
export const ansi: Style = { pass: sgr('32'), fail: sgr('31'), dim: sgr('2'), bold: sgr('1') };
