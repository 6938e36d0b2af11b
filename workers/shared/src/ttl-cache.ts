/**
 * A small in-isolate cache: an entry is fresh for `freshMs`, then may still be served for `staleMs` more while one
 * request refreshes it, at most `maxEntries` entries (least recently used leave first). An isolate serves many
 * requests, so a hit costs no I/O at all; each isolate has its own copy, which is why entries are short-lived:
 * fresh + stale is the staleness bound the caller documents.
 *
 * When a hot entry goes stale, the first request reloads it and every concurrent one is answered from the stale
 * copy, so a busy key never sends a burst of identical loads (seen: 50 concurrent facet searches missing at once,
 * p99 1.8 s). Requests never await each other's loads: a promise made by one request and awaited by another is
 * what workerd does not support (the waiting request can hang; seen as rare 500s under load).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; freshUntil: number; staleUntil: number; refreshing: boolean }>();

  constructor(
    private readonly freshMs: number,
    private readonly maxEntries: number,
    private readonly staleMs = 0,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fresh value, or undefined. */
  get(key: string): V | undefined {
    const entry = this.touch(key);
    return entry !== undefined && entry.freshUntil > this.now() ? entry.value : undefined;
  }

  set(key: string, value: V): void {
    const now = this.now();
    this.entries.delete(key);
    this.entries.set(key, { value, freshUntil: now + this.freshMs, staleUntil: now + this.freshMs + this.staleMs, refreshing: false });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** The cached value, or `load()`'s, cached if `keep` says so (errors and personal answers are not kept). */
  async getOrLoad(key: string, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    const entry = this.touch(key);
    const now = this.now();
    if (entry !== undefined && entry.freshUntil > now) return entry.value;
    if (entry !== undefined && entry.staleUntil > now) {
      if (entry.refreshing) return entry.value;
      entry.refreshing = true;
    }
    try {
      const value = await load();
      if (keep(value)) this.set(key, value);
      return value;
    } finally {
      const after = this.entries.get(key);
      if (after?.refreshing) after.refreshing = false;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry (moved to most recently used), or undefined once it is past serving even stale. */
  private touch(key: string) {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.staleUntil <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry;
  }
}
