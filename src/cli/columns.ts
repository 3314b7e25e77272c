/** Table columns for CLI output laid out the way Asterisk's printf formats lay it out. */

/** printf `%-N.Ns`: the text cut to `width` characters, then padded on the right to `width`. */
export function column(text: string, width: number): string {
  return text.length > width ? text.slice(0, width) : text.padEnd(width);
}
