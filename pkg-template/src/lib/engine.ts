/**
 * The seam between the TypeScript layer and the wasm engine. Each entry point
 * (Node, browser) binds the wasm-bindgen glue for its platform here; every
 * other module calls the engine only through `engine()`, so the same code runs
 * on both and nothing else knows how the module was loaded.
 */
import { HeadroomError, toHeadroomError } from './errors.js';
import type { Profile, Shape } from './options.js';

/** Engine options exactly as `headroom-core`'s `Options` deserializes them (camelCase, unknown fields rejected). */
export interface EngineOptions {
  profile?: Profile;
  bias?: number;
  query?: string;
  ccr?: boolean;
  minSavings?: number;
  minBytes?: number;
  excludeTools?: string[];
  frozenMessageCount?: number;
  kind?: string;
  shape?: Shape;
  messageBiases?: Array<[number, number]>;
}

/** The tool call that produced an output, and the user text before it. */
export interface ToolContext {
  toolName?: string;
  /** The call's arguments as JSON text (or any text). */
  toolArgs?: string;
  /** User text that preceded the call. */
  userText?: string;
}

/** One original the host stores under its hash, so a marker can be resolved. */
export interface CcrEntry {
  hash: string;
  original: string;
  /** Kind the original was routed as (`json`, `log`, ...). */
  kind: string;
  /** What was left out, e.g. `"772 of 812 lines"`. */
  omitted: string;
}

/** The result of compressing one tool output (`headroom-core`'s `TextResult`). */
export interface TextResult {
  text: string;
  compressed: boolean;
  kind: string;
  transforms: string[];
  tokensBefore: number;
  tokensAfter: number;
  ccr: CcrEntry | null;
}

/** The result of compressing a request body (`headroom-core`'s `MessagesResult`). */
export interface MessagesResult {
  /** The body with only the compressed tool outputs spliced in. */
  body: string;
  shape?: Shape;
  tokensBefore: number;
  tokensAfter: number;
  transforms: string[];
  ccr: CcrEntry[];
  /** One report per tool output the engine considered, in body order. */
  blocks: BlockReport[];
}

/**
 * What happened to one tool output of a conversation (`headroom-core`'s
 * `BlockReport`), so a caller can show or log savings per output without
 * compressing twice.
 */
export interface BlockReport {
  /** Where the output sits in the request body, e.g. `messages[2].content[0].content`. */
  path: string;
  /** Index of its message in the list passed to `compress()`. */
  messageIndex: number;
  /** Kind it was routed as (`json`, `log`, `code`, ...). */
  kind: string;
  tokensBefore: number;
  tokensAfter: number;
  /** Transforms that changed it. */
  transforms: string[];
  /** Hash of the original when the output now carries a marker; `retrieve(hash)` gives it back. */
  hash: string | null;
  compressed: boolean;
}

/** What the wasm-bindgen glue exports (both the `nodejs` and the `web` target). */
export interface EngineBindings {
  compressText(text: string, toolContext?: ToolContext | null, options?: EngineOptions | null): TextResult;
  compressMessages(body: string, options?: EngineOptions | null): MessagesResult;
  findHashes(text: string): string[];
  countTokens(text: string): number;
  /** The engine's version (the `headroom-engine` crate's). */
  version(): string;
}

let bound: EngineBindings | undefined;
let autoInit: (() => Promise<void>) | undefined;

/** Called by an entry point once its glue is instantiated. */
export function bindEngine(bindings: EngineBindings): void {
  bound = bindings;
}

/** Called by entry points that can load the module on first use (the browser one fetches it). */
export function setAutoInit(init: () => Promise<void>): void {
  autoInit = init;
}

export function isEngineReady(): boolean {
  return bound !== undefined;
}

/** Make sure the engine is loaded: nothing to wait for in Node, a fetch on first use in browsers. */
export function ensureEngine(): void | Promise<void> {
  if (bound) return;
  if (autoInit) return autoInit();
  throw notInitialized();
}

function notInitialized(): HeadroomError {
  return new HeadroomError(
    'not_initialized',
    'the Headroom engine is not loaded yet: `await init()` first (browsers), or use an async function such as compress()',
  );
}

function bindings(): EngineBindings {
  if (!bound) throw notInitialized();
  return bound;
}

/** The engine's calls, with its errors turned into `HeadroomError`s. */
export const engine = {
  compressText(text: string, toolContext?: ToolContext, options?: EngineOptions): TextResult {
    const b = bindings();
    try {
      return b.compressText(text, toolContext ?? null, options ?? null);
    } catch (err) {
      throw toHeadroomError(err);
    }
  },
  compressMessages(body: string, options?: EngineOptions): MessagesResult {
    const b = bindings();
    try {
      return b.compressMessages(body, options ?? null);
    } catch (err) {
      throw toHeadroomError(err);
    }
  },
  findHashes(text: string): string[] {
    return bindings().findHashes(text);
  },
  countTokens(text: string): number {
    return bindings().countTokens(text);
  },
  version(): string {
    return bindings().version();
  },
};
