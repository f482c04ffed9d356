/** Colour only for a terminal that wants it (https://no-color.org; FORCE_COLOR for CI logs that render it). */
import { ansi, plain, type Style } from '../../checkers/grade/index.ts';

export function styleFor(stream: { isTTY?: boolean }): Style {
  if (process.env.NO_COLOR) return plain;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return ansi;
  return stream.isTTY ? ansi : plain;
}
