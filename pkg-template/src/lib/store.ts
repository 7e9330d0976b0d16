/**
 * Where originals live so a marker's hash can be turned back into the exact
 * text it replaced. The engine hands every original to the host together with
 * the marker; the host must keep it for as long as the model may ask.
 */
import type { Maybe } from './maybe.js';

/** What is known about a stored original besides its text. */
export interface CcrMeta {
  /** Kind the original was routed as (`json`, `log`, ...). */
  kind: string;
  /** What the marker left out, e.g. `"772 of 812 lines"`. */
  omitted: string;
}

/**
 * A pluggable store (Redis, a database, the proxy's store...). Both methods
 * may be synchronous or return promises.
 */
export interface CcrStore {
  /** The original stored under `hash`, or `undefined`/`null` when unknown or expired. */
  get(hash: string): Maybe<string | null | undefined>;
  /** Store `original` under `hash`. Called before the marker referring to it is sent anywhere. */
  put(hash: string, original: string, meta: CcrMeta): Maybe<void>;
}

export interface MemoryStoreOptions {
  /** How long an original is kept after it was last stored or read, in ms. Default 1 hour. */
  ttlMs?: number;
  /** Most originals kept; the least recently used go first. Default 1000. */
  maxEntries?: number;
  /** Most UTF-16 code units kept in total (about bytes for ASCII). Default 64 Mi. */
  maxChars?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface MemoryStoreStats {
  entries: number;
  chars: number;
  hits: number;
  misses: number;
  evictions: number;
}

interface Slot {
  original: string;
  meta: CcrMeta;
  expires: number;
}

/**
 * The default store: in-process, bounded by count and size, entries expire.
 * A `Map` keeps insertion order, so re-inserting on access makes its first key
 * the least recently used.
 */
export class MemoryStore implements CcrStore {
  private readonly slots = new Map<string, Slot>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly maxChars: number;
  private readonly now: () => number;
  private chars = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.ttlMs = positive(options.ttlMs, 60 * 60 * 1000, 'ttlMs');
    this.maxEntries = positive(options.maxEntries, 1000, 'maxEntries');
    this.maxChars = positive(options.maxChars, 64 * 1024 * 1024, 'maxChars');
    this.now = options.now ?? Date.now;
  }

  get(hash: string): string | undefined {
    const slot = this.slots.get(hash);
    if (!slot) {
      this.misses++;
      return undefined;
    }
    if (slot.expires <= this.now()) {
      this.remove(hash, slot);
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.slots.delete(hash);
    slot.expires = this.now() + this.ttlMs;
    this.slots.set(hash, slot);
    return slot.original;
  }

  /** What the engine said about an original (kind, what was omitted). */
  meta(hash: string): CcrMeta | undefined {
    const slot = this.slots.get(hash);
    return slot && slot.expires > this.now() ? slot.meta : undefined;
  }

  put(hash: string, original: string, meta: CcrMeta): void {
    const old = this.slots.get(hash);
    if (old) this.remove(hash, old);
    if (original.length > this.maxChars) return; // could never fit; keeping it would evict everything
    this.slots.set(hash, { original, meta, expires: this.now() + this.ttlMs });
    this.chars += original.length;
    this.evict();
  }

  delete(hash: string): boolean {
    const slot = this.slots.get(hash);
    if (slot) this.remove(hash, slot);
    return slot !== undefined;
  }

  clear(): void {
    this.slots.clear();
    this.chars = 0;
  }

  get size(): number {
    return this.slots.size;
  }

  stats(): MemoryStoreStats {
    return { entries: this.slots.size, chars: this.chars, hits: this.hits, misses: this.misses, evictions: this.evictions };
  }

  private remove(hash: string, slot: Slot): void {
    this.slots.delete(hash);
    this.chars -= slot.original.length;
  }

  private evict(): void {
    // Every entry gets the same TTL from its last touch and the map is in
    // touch order, so the expired ones are exactly a prefix.
    const now = this.now();
    for (const [hash, slot] of this.slots) {
      if (slot.expires > now) break;
      this.remove(hash, slot);
    }
    for (const [hash, slot] of this.slots) {
      if (this.slots.size <= this.maxEntries && this.chars <= this.maxChars) break;
      this.remove(hash, slot);
      this.evictions++;
    }
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value > 0)) {
    throw new RangeError(`MemoryStore: ${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

/** The store used when options do not name one. Shared by compress(), the wrappers and retrieve(). */
export const defaultStore: MemoryStore = new MemoryStore();
