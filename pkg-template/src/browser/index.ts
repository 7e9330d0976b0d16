/**
 * Browser, Web Worker and bundler entry point (ESM). The module is fetched
 * on first use, or when `init()` is called; `init(source)` takes the wasm
 * from elsewhere (bytes, a `Response`, a compiled module, another URL), and
 * `initSync(bytes)` suits workers that already hold the bytes.
 */
import initGlue, * as glue from '../../engine/web/headroom_engine.js';
import { bindEngine, isEngineReady, setAutoInit, type EngineBindings } from '../lib/engine.js';
import type { WasmSource } from '../lib/api.js';

export * from '../lib/api.js';

let loading: Promise<void> | undefined;

/**
 * Load the engine. Without an argument the `.wasm` shipped next to this file
 * is fetched (bundlers see the `new URL(..., import.meta.url)` and emit it).
 * Safe to call many times; later calls wait for the first.
 */
export function init(source?: WasmSource): Promise<void> {
  if (isEngineReady()) return Promise.resolve();
  loading ??= (async () => {
    const moduleOrPath = source ?? new URL('../../engine/headroom_engine_bg.wasm', import.meta.url);
    await initGlue({ module_or_path: moduleOrPath as never });
    bindEngine(glue as unknown as EngineBindings);
  })().catch((err: unknown) => {
    loading = undefined; // allow a retry, e.g. after a network error
    throw err;
  });
  return loading;
}

/** Load the engine from bytes or a compiled `WebAssembly.Module`, synchronously. */
export function initSync(source: WasmSource): void {
  if (isEngineReady()) return;
  glue.initSync({ module: source as never });
  bindEngine(glue as unknown as EngineBindings);
}

setAutoInit(() => init());
