/**
 * `compress()`: a message list in, the same list back with its tool outputs
 * compressed. The engine does the work on a JSON body; this module runs the
 * hooks, stores the originals behind every marker, splices the engine's
 * changes into the caller's objects and decides what a failure means.
 */
import { engine, ensureEngine, type BlockReport } from './engine.js';
import { HeadroomError, toHeadroomError } from './errors.js';
import { normalizeBiases, type CompressEvent, type HookContext } from './hooks.js';
import { all, attempt, chain, type Maybe } from './maybe.js';
import { budgetLadder, checkOptionNames, checkShape, checkTokenBudget, toEngineOptions, type CompressOptions, type Shape } from './options.js';
import { checkMessages, detectShape, unwrapBody, wrapBody } from './shapes.js';
import { binaryReplacer, spliceChanges } from './splice.js';
import { defaultStore, type CcrStore } from './store.js';

export interface CompressResult<M = unknown> {
  /** The messages to send: same shape as given, only tool outputs changed. */
  messages: M[];
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
  /** `tokensAfter / tokensBefore`: 1 means nothing was saved. */
  compressionRatio: number;
  /** Transforms that changed something (`json`, `log`, ...). */
  transformsApplied: string[];
  /** Hash of every original stored for a marker in `messages`. */
  ccrHashes: string[];
  /**
   * One report per tool output considered, in order: where it is, its kind,
   * its tokens before and after, and its marker's hash. Their tokens sum to
   * `tokensBefore` / `tokensAfter`. Empty when the originals were used.
   */
  blocks: BlockReport[];
  compressed: boolean;
  /** The shape the messages were read as. */
  shape: Shape;
  /** Why the originals were used (only with `fallback: true`). */
  error?: HeadroomError;
}

/**
 * Compress the tool outputs in a conversation (Anthropic, OpenAI Chat, OpenAI
 * Responses or Vercel AI SDK messages; the shape is detected unless given).
 *
 * Every original that a marker stands for is in the store (`options.store`,
 * default the shared in-memory one) before this resolves, so `retrieve(hash)`
 * can always answer. Without a store, only lossless compression is done.
 */
export async function compress<M>(messages: M[], options: CompressOptions = {}): Promise<CompressResult<M>> {
  checkMessages(messages);
  await ensureEngine();
  return compressNow(messages, options);
}

/**
 * The pipeline behind `compress()`. Synchronous unless a hook or the store
 * returns a promise, so SDK wrappers can hand back the SDK's own promise.
 * Requires the engine to be loaded.
 */
export function compressNow<M>(messages: M[], options: CompressOptions = {}): Maybe<CompressResult<M>> {
  const started = now();
  checkMessages(messages);
  checkOptionNames(options);
  checkShape(options.shape);
  checkTokenBudget(options.tokenBudget);
  const shape: Shape = options.shape ?? detectShape(messages) ?? 'anthropic';
  const context: HookContext = { shape, model: options.model, profile: options.profile ?? 'balanced' };
  const hooks = options.hooks;
  const store: CcrStore | undefined =
    options.store === false || options.store === null ? undefined : (options.store ?? defaultStore);

  const run = (): Maybe<CompressResult<M>> =>
    chain(hooks?.preCompress ? hooks.preCompress(messages, context) : undefined, (rewritten) => {
      const input = (rewritten ?? messages) as M[];
      if (rewritten !== undefined) checkMessages(input, 'preCompress() result');
      return chain(hooks?.computeBiases ? hooks.computeBiases(input, context) : undefined, (biases) => {
        const messageBiases = normalizeBiases(biases, input.length);
        const engineOptions = toEngineOptions(options, shape, store !== undefined, messageBiases);
        const sent = JSON.stringify(wrapBody(shape, input), shape === 'vercel' ? binaryReplacer : undefined);
        let result = engine.compressMessages(sent, engineOptions);
        if (options.tokenBudget !== undefined) {
          for (const harder of budgetLadder(engineOptions)) {
            if (result.tokensAfter <= options.tokenBudget) break;
            result = engine.compressMessages(sent, harder);
          }
        }
        if (!store && result.ccr.length > 0) {
          throw new HeadroomError('messages_error', 'the engine wrote markers although no store was given');
        }
        const puts = store
          ? result.ccr.map((entry) =>
              attempt(
                () => store.put(entry.hash, entry.original, { kind: entry.kind, omitted: entry.omitted }),
                (err) => {
                  throw new HeadroomError('store_error', `storing original ${entry.hash} failed: ${message(err)}`, {
                    cause: err,
                  });
                },
              ),
            )
          : [];
        return chain(all(puts), () => {
          const out =
            result.body === sent
              ? input
              : spliceChanges(input, unwrapBody(shape, JSON.parse(sent)), unwrapBody(shape, JSON.parse(result.body)));
          const saved = result.tokensBefore - result.tokensAfter;
          return {
            messages: out,
            tokensBefore: result.tokensBefore,
            tokensAfter: result.tokensAfter,
            tokensSaved: saved,
            compressionRatio: ratio(result.tokensBefore, result.tokensAfter),
            transformsApplied: unique(result.transforms),
            ccrHashes: unique(result.ccr.map((e) => e.hash)),
            blocks: result.blocks ?? [],
            compressed: out !== input || saved > 0,
            shape,
          };
        });
      });
    });

  const fail = (err: unknown): CompressResult<M> => {
    const error = toHeadroomError(err);
    if (options.fallback === false) throw error;
    return {
      messages,
      tokensBefore: 0,
      tokensAfter: 0,
      tokensSaved: 0,
      compressionRatio: 1,
      transformsApplied: [],
      ccrHashes: [],
      blocks: [],
      compressed: false,
      shape,
      error,
    };
  };

  return chain(attempt(run, fail), (result) => {
    if (!hooks?.postCompress) return result;
    const event: CompressEvent = {
      shape,
      model: options.model,
      profile: context.profile,
      messageCount: messages.length,
      tokensBefore: result.tokensBefore,
      tokensAfter: result.tokensAfter,
      tokensSaved: result.tokensSaved,
      compressionRatio: result.compressionRatio,
      transformsApplied: result.transformsApplied,
      ccrHashes: result.ccrHashes,
      compressed: result.compressed,
      durationMs: now() - started,
    };
    if (result.error) event.error = result.error;
    return chain(hooks.postCompress(event), () => result);
  });
}

function ratio(before: number, after: number): number {
  return before > 0 ? after / before : 1;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
