/** CSV_QUOTE(string) (func_strings.c): the string in double quotes, inner `"` doubled. */
import type { DialplanFunction } from '../types.js';

export const CSV_QUOTE: DialplanFunction = {
  name: 'CSV_QUOTE',
  synopsis: 'Quotes a given string for use in a CSV file, escaping embedded quotes as necessary',
  syntax: 'CSV_QUOTE(string)',
  description: 'Wraps the text in double quotes for a CSV field, doubling each double quote inside it.',
  read: (call) => `"${call.args.replace(/"/g, '""')}"`,
};
