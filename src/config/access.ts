/**
 * Small read helpers typed loaders use on a ConfDocument. Section and key names are compared
 * case-insensitively, as Asterisk's ast_category_get()/ast_variable_retrieve() do.
 */
import type { ConfDocument, ConfEntry, ConfSection } from './types.js';

/** Sections named `name` (any case), in file order; templates only when asked for. */
export function sectionsNamed(doc: ConfDocument, name: string, opts: { includeTemplates?: boolean } = {}): ConfSection[] {
  const lower = name.toLowerCase();
  return doc.sections.filter((s) => s.name.toLowerCase() === lower && (opts.includeTemplates === true || !s.isTemplate));
}

/** Every section that is not a template (what Asterisk's ast_category_browse yields). */
export function realSections(doc: ConfDocument): ConfSection[] {
  return doc.sections.filter((s) => !s.isTemplate);
}

/** Entries of `section` whose key is `key` (any case), in order. */
export function entriesNamed(section: ConfSection, key: string): ConfEntry[] {
  const lower = key.toLowerCase();
  return section.entries.filter((e) => e.key.toLowerCase() === lower);
}

/** The last value given for `key` in the section (later lines override earlier ones). */
export function lastValue(section: ConfSection, key: string): string | undefined {
  const all = entriesNamed(section, key);
  return all.length > 0 ? all[all.length - 1]!.value : undefined;
}

/** Every value given for `key`, in order (e.g. `buddy=` lines). */
export function allValues(section: ConfSection, key: string): string[] {
  return entriesNamed(section, key).map((e) => e.value);
}
