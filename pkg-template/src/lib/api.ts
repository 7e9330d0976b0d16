/**
 * Everything the package exports, whichever entry point loaded the engine.
 * (`init`/`initSync` come from the entry points themselves.)
 */
export { compress, type CompressResult } from './compress.js';
export { withHeadroom, type WithHeadroomOptions } from './with-headroom.js';
export {
  headroomMiddleware,
  type HeadroomMiddleware,
  type MiddlewareOptions,
  type MiddlewareSpecVersion,
  type PromptParams,
} from './middleware.js';
export {
  retrieve,
  answerRetrieve,
  createRetrieveTool,
  headroomRetrieveTool,
  retrieveToolDefinitions,
  type RetrieveOptions,
  type HeadroomRetrieveTool,
  type RetrieveInputSchema,
  type RetrieveToolParameters,
} from './retrieve.js';
export { MemoryStore, defaultStore, type CcrStore, type CcrMeta, type MemoryStoreOptions, type MemoryStoreStats } from './store.js';
export {
  SharedContext,
  type SharedContextOptions,
  type SharedContextEntry,
  type SharedContextStats,
  type PutOptions,
} from './shared-context.js';
export {
  CompressionHooks,
  type CompressionHooksLike,
  type CompressEvent,
  type HookContext,
  type MessageBiases,
} from './hooks.js';
export { HeadroomError, type HeadroomErrorCode } from './errors.js';
export {
  PROFILES,
  SHAPES,
  RETRIEVE_TOOL_NAME,
  type CompressOptions,
  type Profile,
  type Shape,
} from './options.js';
export { detectShape } from './shapes.js';
export { compressText, countTokens, findHashes, engineVersion, type CompressTextOptions } from './text.js';
export type { TextResult, CcrEntry, ToolContext, BlockReport } from './engine.js';

/**
 * Where the wasm module comes from, for `init()` in browsers: a URL (string
 * or `URL`), a `fetch()` `Response` (or a promise of one), the module's bytes,
 * or a compiled `WebAssembly.Module`. Typed loosely so these declarations need
 * neither the DOM nor Node's types.
 */
export type WasmSource = string | { readonly href: string } | ArrayBuffer | ArrayBufferView | object;
