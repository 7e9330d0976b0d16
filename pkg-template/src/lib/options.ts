/**
 * Caller-facing options and their translation into the engine's options.
 * The engine validates ranges (and names the bad field); this module only
 * rejects what the engine cannot see: option names it does not know and the
 * JS-only fields (`hooks`, `store`, `fallback`).
 */
import { HeadroomError } from './errors.js';
import type { EngineOptions } from './engine.js';
import type { CompressionHooksLike } from './hooks.js';
import type { CcrStore } from './store.js';

/** How hard to compress. `balanced` is the default. */
export type Profile = 'conservative' | 'balanced' | 'aggressive';

/**
 * The profiles, gentlest first. `conservative` keeps more context and never
 * compresses line-numbered source files (files read to be edited);
 * `aggressive` keeps the least.
 */
export const PROFILES: readonly Profile[] = Object.freeze(['conservative', 'balanced', 'aggressive'] as const);

/** Request shapes the engine understands. */
export type Shape = 'anthropic' | 'openai-chat' | 'openai-responses' | 'vercel';

export const SHAPES: readonly Shape[] = Object.freeze(['anthropic', 'openai-chat', 'openai-responses', 'vercel'] as const);

/** Name of the tool the model calls to get an original back. */
export const RETRIEVE_TOOL_NAME = 'headroom_retrieve';

export interface CompressOptions {
  /** Model the request is for; reported to hooks. Token counts are always o200k BPE tokens. */
  model?: string;
  /** Default `balanced`. */
  profile?: Profile;
  /** Multiplies how much is kept: `2` keeps about twice as much, `0.5` about half. Default 1. */
  bias?: number;
  /** Extra text whose matching lines/rows are kept (on top of the tool call's arguments and the user's words). */
  query?: string;
  /** Tool names whose outputs are never touched (`headroom_retrieve` is always excluded). */
  excludeTools?: string[];
  /** A transform must save at least this fraction of tokens or the original is kept. Default 0.10. */
  minSavings?: number;
  /** Tool outputs shorter than this many bytes are never touched. Default 512. */
  minBytes?: number;
  /** The first N messages are sent exactly as they are. */
  frozenMessageCount?: number;
  /**
   * Most tokens the tool outputs may take after compression (o200k BPE, as
   * `tokensAfter`). When the chosen profile leaves more, compression is
   * repeated harder (profile `aggressive`, then less kept per bias, down to
   * the engine's floor); the result may still be above the budget when even
   * that is not enough, or when lossless-only compression (no store) is all
   * that is allowed.
   */
  tokenBudget?: number;
  /** Declare the request shape instead of detecting it. */
  shape?: Shape;
  /** Hooks called around each compression. */
  hooks?: CompressionHooksLike;
  /**
   * Where originals are kept so markers can be resolved. Default: the
   * package's shared in-memory store. `false` (or `null`) means no store: the
   * engine is then asked for lossless compression only, and never writes a
   * marker.
   */
  store?: CcrStore | false | null;
  /**
   * `true` (default): when compression fails, the original messages are used
   * and the result says `compressed: false` with an `error`. `false`: the
   * error is thrown as a `HeadroomError`.
   */
  fallback?: boolean;
}

const KNOWN_OPTIONS = new Set<string>([
  'model',
  'profile',
  'bias',
  'query',
  'excludeTools',
  'minSavings',
  'minBytes',
  'frozenMessageCount',
  'tokenBudget',
  'shape',
  'hooks',
  'store',
  'fallback',
]);

/** Reject option names nobody reads, so a typo never silently does nothing. */
export function checkOptionNames(options: object, extra: readonly string[] = [], where = 'options'): void {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key) && !extra.includes(key)) {
      throw new HeadroomError('invalid_options', `${where}.${key}: unknown option`);
    }
  }
}

export function checkShape(shape: unknown): asserts shape is Shape | undefined {
  if (shape !== undefined && !SHAPES.includes(shape as Shape)) {
    throw new HeadroomError(
      'invalid_options',
      `options.shape: unknown shape ${JSON.stringify(shape)} (expected ${SHAPES.join(', ')})`,
    );
  }
}

export function checkTokenBudget(budget: unknown): asserts budget is number | undefined {
  if (budget !== undefined && !(typeof budget === 'number' && Number.isFinite(budget) && budget >= 0)) {
    throw new HeadroomError('invalid_options', `options.tokenBudget: expected a number >= 0, got ${String(budget)}`);
  }
}

/** The lowest bias the engine honours (it clamps to 0.25..4). */
const BIAS_FLOOR = 0.25;

/**
 * Harder settings to try, in order, when a result is over `tokenBudget`:
 * the aggressive profile at the caller's bias, then halving the bias down
 * to the engine's floor. Settings the engine would treat alike are skipped.
 */
export function budgetLadder(options: EngineOptions): EngineOptions[] {
  const bias = Math.max(BIAS_FLOOR, Math.min(options.bias ?? 1, 4));
  const steps: EngineOptions[] = [];
  if (options.profile !== 'aggressive') steps.push({ ...options, profile: 'aggressive', bias });
  for (let b = bias / 2; b > BIAS_FLOOR; b /= 2) steps.push({ ...options, profile: 'aggressive', bias: b });
  if (bias > BIAS_FLOOR) steps.push({ ...options, profile: 'aggressive', bias: BIAS_FLOOR });
  return steps;
}

/** The engine's options for one call. Only defined fields are sent: the engine treats absent as default. */
export function toEngineOptions(
  options: CompressOptions,
  shape: Shape,
  ccr: boolean,
  messageBiases: Array<[number, number]>,
): EngineOptions {
  const out: EngineOptions = { shape, ccr };
  if (options.profile !== undefined) out.profile = options.profile;
  if (options.bias !== undefined) out.bias = options.bias;
  if (options.query !== undefined) out.query = options.query;
  if (options.minSavings !== undefined) out.minSavings = options.minSavings;
  if (options.minBytes !== undefined) out.minBytes = options.minBytes;
  if (options.frozenMessageCount !== undefined) out.frozenMessageCount = options.frozenMessageCount;
  const exclude = new Set(options.excludeTools ?? []);
  // The retrieve tool's output IS the original: compressing it again would
  // hand the model a marker for the text it just asked for.
  exclude.add(RETRIEVE_TOOL_NAME);
  out.excludeTools = [...exclude];
  if (messageBiases.length > 0) out.messageBiases = messageBiases;
  return out;
}
