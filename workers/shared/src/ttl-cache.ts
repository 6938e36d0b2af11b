/**
 * A small in-isolate cache: entries live `ttlMs`, at most `maxEntries` of them (least recently used leave
 * first). An isolate serves many requests, so a hit costs no I/O at all; each isolate has its own copy, which is
 * why every entry is short-lived: the TTL is the staleness bound the caller documents. Only plain values are kept,
 * and concurrent misses each load for themselves: a promise made by one request and awaited by another is what
 * workerd does not support (the waiting request can hang; seen as rare 500s under load when misses were shared).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Refresh its place: a Map iterates in insertion order, so the oldest-used entry is first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** The cached value, or `load()`'s, cached if `keep` says so (errors and personal answers are not kept). */
  async getOrLoad(key: string, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = await load();
    if (keep(value)) this.set(key, value);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
