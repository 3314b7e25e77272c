/**
 * Option tags a method handler implements, accepted in Require (RFC 3261 §8.2.2.3) on top of those
 * the stack was built with: an upper layer that implements an extension (the calls module: 100rel,
 * timer) marks its handlers, so requests needing it are not refused with 420. Keyed by the handler
 * function, which stays the same object however the stack is wrapped or rebuilt.
 */
import type { MethodHandler } from './types.js';

const implemented = new WeakMap<MethodHandler, Set<string>>();

/** Mark `handler` as implementing these option tags; returns the handler. */
export function implementsOptionTags(handler: MethodHandler, tags: readonly string[]): MethodHandler {
  let set = implemented.get(handler);
  if (!set) {
    set = new Set();
    implemented.set(handler, set);
  }
  for (const t of tags) set.add(t.toLowerCase());
  return handler;
}

/** True when `handler` was marked as implementing the option tag (any case). */
export function handlerImplements(handler: MethodHandler, tag: string): boolean {
  return implemented.get(handler)?.has(tag.toLowerCase()) ?? false;
}
