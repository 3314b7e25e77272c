/** Applications by name, case-insensitive (Asterisk's pbx_app.c compares with strcasecmp). */
import type { DialplanApplication } from '../types.js';

export class AppRegistry {
  private readonly byKey = new Map<string, DialplanApplication>();

  register(app: DialplanApplication): void {
    this.byKey.set(app.name.toLowerCase(), app);
  }

  unregister(name: string): boolean {
    return this.byKey.delete(name.toLowerCase());
  }

  get(name: string): DialplanApplication | undefined {
    return this.byKey.get(name.toLowerCase());
  }

  /** Sorted by name, case-insensitively (`core show applications`). */
  list(): DialplanApplication[] {
    return [...this.byKey.values()].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
  }
}
