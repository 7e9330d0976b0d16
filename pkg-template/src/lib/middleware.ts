/**
 * Vercel AI SDK middleware: `wrapLanguageModel({ model, middleware: headroomMiddleware() })`.
 * It rewrites the prompt the model receives, and in it only the outputs of
 * tool results; provider options, files, reasoning and every other part pass
 * through as the same objects.
 */
import { ensureEngine } from './engine.js';
import { compressNow, type CompressResult } from './compress.js';
import { checkOptionNames, type CompressOptions } from './options.js';

/** The middleware spec: `v4` for `ai@7` (the current major), `v3` for `ai@6`. */
export type MiddlewareSpecVersion = 'v3' | 'v4';

export interface MiddlewareOptions<V extends MiddlewareSpecVersion = 'v4'> extends Omit<CompressOptions, 'shape'> {
  /** Default `v4` (`ai@7`); pass `v3` for `ai@6`. */
  specificationVersion?: V;
  /** Called with every compression result (for logging or metrics). */
  onCompress?: (result: CompressResult, type: 'generate' | 'stream') => void;
}

/** The language-model call options this middleware reads; everything else is passed on untouched. */
export interface PromptParams {
  prompt: readonly unknown[];
}

/**
 * A language-model middleware for `ai@6` (spec v3) and `ai@7` (spec v4):
 * structurally a `LanguageModelV3Middleware` / `LanguageModelV4Middleware`.
 */
export interface HeadroomMiddleware<V extends MiddlewareSpecVersion = 'v4'> {
  readonly specificationVersion: V;
  transformParams: <P extends PromptParams>(options: {
    type: 'generate' | 'stream';
    params: P;
    model: unknown;
  }) => PromiseLike<P>;
}

/**
 * Compress tool-result outputs in every prompt the wrapped model receives.
 * Options are those of `compress()`; with `fallback: true` (default) a
 * failure sends the prompt unchanged.
 */
export function headroomMiddleware(options?: MiddlewareOptions<'v4'>): HeadroomMiddleware<'v4'>;
export function headroomMiddleware<V extends MiddlewareSpecVersion>(
  options: MiddlewareOptions<V> & { specificationVersion: V },
): HeadroomMiddleware<V>;
export function headroomMiddleware(options: MiddlewareOptions<MiddlewareSpecVersion> = {}): HeadroomMiddleware<MiddlewareSpecVersion> {
  checkOptionNames(options, ['specificationVersion', 'onCompress'], 'headroomMiddleware options');
  const { specificationVersion = 'v4', onCompress, ...compressOptions } = options;
  if (specificationVersion !== 'v3' && specificationVersion !== 'v4') {
    throw new TypeError(`headroomMiddleware: specificationVersion must be 'v3' or 'v4', got ${String(specificationVersion)}`);
  }
  return {
    specificationVersion,
    async transformParams({ type, params }) {
      if (!Array.isArray(params.prompt) || params.prompt.length === 0) return params;
      await ensureEngine();
      const result = await compressNow(params.prompt as unknown[], { ...compressOptions, shape: 'vercel' });
      onCompress?.(result, type);
      return result.messages === params.prompt ? params : { ...params, prompt: result.messages };
    },
  };
}
