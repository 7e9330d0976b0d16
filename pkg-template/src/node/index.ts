/**
 * Node entry point (CommonJS; the ESM entry re-exports this one, so both
 * share one engine instance and one store). The wasm-bindgen `nodejs` glue
 * reads and instantiates the module synchronously when it is required, so
 * the engine is ready as soon as this file is loaded.
 */
import * as glue from '../../engine/headroom_engine.js';
import { bindEngine, type EngineBindings } from '../lib/engine.js';
import type { WasmSource } from '../lib/api.js';

bindEngine(glue as unknown as EngineBindings);

export * from '../lib/api.js';

/** Already done in Node: the module is loaded with the package. Kept so code runs unchanged in browsers. */
export function init(_source?: WasmSource): Promise<void> {
  return Promise.resolve();
}

/** Already done in Node (see `init`). */
export function initSync(_source?: WasmSource): void {}
