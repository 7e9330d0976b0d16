/**
 * One tool output at a time, outside any conversation: `compressText()`, and
 * the engine's small helpers (token counting, finding marker hashes).
 */
import { engine, ensureEngine, type EngineOptions, type TextResult, type ToolContext } from './engine.js';
import { HeadroomError } from './errors.js';
import type { Profile } from './options.js';
import { defaultStore, type CcrStore } from './store.js';

export interface CompressTextOptions {
  profile?: Profile;
  bias?: number;
  query?: string;
  minSavings?: number;
  minBytes?: number;
  /** Declare the kind (`json`, `log`, `test`, `search`, `diff`, `code`, `text`) instead of detecting it. */
  kind?: string;
  /** The tool call that produced the output (its name and arguments steer what is kept). */
  tool?: ToolContext;
  /** As in `compress()`: default the shared in-memory store; `false` for lossless only. */
  store?: CcrStore | false | null;
}

const KNOWN = new Set(['profile', 'bias', 'query', 'minSavings', 'minBytes', 'kind', 'tool', 'store']);

/** Compress one tool output. The original behind a marker is stored before this resolves. */
export async function compressText(text: string, options: CompressTextOptions = {}): Promise<TextResult> {
  await ensureEngine();
  const { result, stored } = compressTextNow(text, options);
  await stored;
  return result;
}

/**
 * `compressText()` without waiting: for callers that already loaded the
 * engine. `stored` settles once the store has the original.
 */
export function compressTextNow(
  text: string,
  options: CompressTextOptions = {},
): { result: TextResult; stored: void | PromiseLike<void> } {
  if (typeof text !== 'string') {
    throw new HeadroomError('invalid_input', `compressText: text must be a string, got ${text === null ? 'null' : typeof text}`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new HeadroomError('invalid_options', `options.${key}: unknown option`);
  }
  const store = options.store === false || options.store === null ? undefined : (options.store ?? defaultStore);
  const engineOptions: EngineOptions = { ccr: store !== undefined };
  for (const key of ['profile', 'bias', 'query', 'minSavings', 'minBytes', 'kind'] as const) {
    if (options[key] !== undefined) (engineOptions as Record<string, unknown>)[key] = options[key];
  }
  const result = engine.compressText(text, options.tool, engineOptions);
  const stored = result.ccr && store ? store.put(result.ccr.hash, result.ccr.original, result.ccr) : undefined;
  return { result, stored: stored as void | PromiseLike<void> };
}

/** Real o200k BPE token count of `text` (the count every Headroom number uses). */
export async function countTokens(text: string): Promise<number> {
  await ensureEngine();
  return engine.countTokens(text);
}

/** Hashes of every Headroom marker in `text`, in order, without duplicates. */
export async function findHashes(text: string): Promise<string[]> {
  await ensureEngine();
  return engine.findHashes(text);
}

/** Version of the engine this package runs (e.g. `"0.1.0"`). */
export async function engineVersion(): Promise<string> {
  await ensureEngine();
  return engine.version();
}
