/**
 * A compressed scratchpad several agents share: one agent puts a large result
 * under a key, others read its compressed form (and the full text only when
 * they need it), so passing work between agents does not pass every token.
 */
import { engine } from './engine.js';
import { HeadroomError } from './errors.js';
import type { Profile } from './options.js';
import { defaultStore, type CcrStore } from './store.js';
import type { ToolContext } from './engine.js';

export interface SharedContextOptions {
  profile?: Profile;
  bias?: number;
  /** Entries older than this are dropped, in ms. Default 1 hour. */
  ttlMs?: number;
  /** Most entries kept; the oldest go first. Default 100. */
  maxEntries?: number;
  /** Where originals behind markers go, so `headroom_retrieve` works on shared entries. Default: the shared in-memory store. */
  store?: CcrStore;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface PutOptions {
  /** Which agent wrote it (reported in `stats().byAgent`). */
  agent?: string;
  /** Treat the content as this tool's output (the name steers the engine). */
  tool?: ToolContext;
  /** Text whose matching lines are kept. */
  query?: string;
}

export interface SharedContextEntry {
  key: string;
  agent: string | undefined;
  /** What `get(key)` returns. */
  compressed: string;
  original: string;
  tokensBefore: number;
  tokensAfter: number;
  /** Hash of the original when the compressed form has a marker. */
  hash: string | undefined;
  kind: string;
  createdAt: number;
}

export interface SharedContextStats {
  entries: number;
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
  /** `tokensAfter / tokensBefore` over all entries (1 when empty). */
  compressionRatio: number;
  byAgent: Record<string, { entries: number; tokensBefore: number; tokensAfter: number }>;
}

export class SharedContext {
  private readonly entries = new Map<string, SharedContextEntry>();
  private readonly options: SharedContextOptions;
  private readonly now: () => number;

  constructor(options: SharedContextOptions = {}) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /**
   * Store `content` under `key`, compressed. Synchronous: in browsers, call
   * `await init()` once before the first `put`.
   */
  put(key: string, content: string, options: PutOptions = {}): SharedContextEntry {
    if (typeof key !== 'string' || key === '') throw new HeadroomError('invalid_input', 'SharedContext.put: key must be a non-empty string');
    if (typeof content !== 'string') throw new HeadroomError('invalid_input', 'SharedContext.put: content must be a string');
    const store = this.options.store ?? defaultStore;
    const result = engine.compressText(content, options.tool, {
      ccr: true,
      ...(this.options.profile !== undefined ? { profile: this.options.profile } : {}),
      ...(this.options.bias !== undefined ? { bias: this.options.bias } : {}),
      ...(options.query !== undefined ? { query: options.query } : {}),
    });
    if (result.ccr) {
      const stored = store.put(result.ccr.hash, result.ccr.original, result.ccr);
      if (stored && typeof (stored as PromiseLike<void>).then === 'function') {
        (stored as Promise<void>).catch(() => undefined); // get(key, {full}) still has the original
      }
    }
    const entry: SharedContextEntry = {
      key,
      agent: options.agent,
      compressed: result.text,
      original: content,
      tokensBefore: result.tokensBefore,
      tokensAfter: result.tokensAfter,
      hash: result.ccr?.hash,
      kind: result.kind,
      createdAt: this.now(),
    };
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.expire();
    const max = this.options.maxEntries ?? 100;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= max) break;
      this.entries.delete(oldest);
    }
    return entry;
  }

  /** The compressed content under `key`, or the original with `{ full: true }`; `undefined` if absent or expired. */
  get(key: string, options: { full?: boolean } = {}): string | undefined {
    this.expire();
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    return options.full ? entry.original : entry.compressed;
  }

  /** The whole entry (both forms and counts). */
  entry(key: string): SharedContextEntry | undefined {
    this.expire();
    return this.entries.get(key);
  }

  has(key: string): boolean {
    return this.entry(key) !== undefined;
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  keys(): string[] {
    this.expire();
    return [...this.entries.keys()];
  }

  stats(): SharedContextStats {
    this.expire();
    const stats: SharedContextStats = {
      entries: this.entries.size,
      tokensBefore: 0,
      tokensAfter: 0,
      tokensSaved: 0,
      compressionRatio: 1,
      byAgent: {},
    };
    for (const entry of this.entries.values()) {
      stats.tokensBefore += entry.tokensBefore;
      stats.tokensAfter += entry.tokensAfter;
      const agent = entry.agent ?? 'unknown';
      const slot = (stats.byAgent[agent] ??= { entries: 0, tokensBefore: 0, tokensAfter: 0 });
      slot.entries++;
      slot.tokensBefore += entry.tokensBefore;
      slot.tokensAfter += entry.tokensAfter;
    }
    stats.tokensSaved = stats.tokensBefore - stats.tokensAfter;
    stats.compressionRatio = stats.tokensBefore > 0 ? stats.tokensAfter / stats.tokensBefore : 1;
    return stats;
  }

  clear(): void {
    this.entries.clear();
  }

  private expire(): void {
    const ttl = this.options.ttlMs ?? 60 * 60 * 1000;
    const cutoff = this.now() - ttl;
    for (const [key, entry] of this.entries) {
      if (entry.createdAt > cutoff) break; // insertion order is creation order
      this.entries.delete(key);
    }
  }
}
