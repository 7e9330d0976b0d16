// One module everywhere: the package ships exactly dist/wasm/headroom_engine_bg.wasm
// (the file headroom-host embeds), with the glues wasm-bindgen generated for
// it, and the module needs nothing from its host but that glue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO, PKG_DIR, WASM } from './helpers.mjs';

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const DIST_WASM = WASM;
const PKG_WASM = path.join(PKG_DIR, 'engine/headroom_engine_bg.wasm');
const HOST =
  process.env.HEADROOM_HOST ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(REPO, 'target'), 'release/headroom-host');

test("the package's .wasm has the sha256 of dist/wasm/headroom_engine_bg.wasm (or $HEADROOM_WASM)", () => {
  assert.equal(sha256(PKG_WASM), sha256(DIST_WASM));
});

const PKG_GLUE_DIR = process.env.HEADROOM_PKG_DIR ? path.resolve(process.env.HEADROOM_PKG_DIR) : path.join(REPO, 'dist/pkg');

test('the packaged glues are the ones wasm-bindgen generated for this module', () => {
  assert.equal(sha256(path.join(PKG_DIR, 'engine/headroom_engine.js')), sha256(path.join(PKG_GLUE_DIR, 'node/headroom_engine.js')));
  assert.equal(sha256(path.join(PKG_DIR, 'engine/web/headroom_engine.js')), sha256(path.join(PKG_GLUE_DIR, 'web/headroom_engine.js')));
  for (const target of ['node', 'web']) {
    const bg = path.join(PKG_GLUE_DIR, `${target}/headroom_engine_bg.wasm`);
    if (existsSync(bg)) assert.equal(sha256(bg), sha256(DIST_WASM), `dist/pkg/${target}`);
  }
});

test("the module imports only from wasm-bindgen's glue (no stray C imports such as env.*)", () => {
  const module = new WebAssembly.Module(readFileSync(PKG_WASM));
  const foreign = WebAssembly.Module.imports(module).filter((i) => i.module !== './headroom_engine_bg.js');
  assert.deepEqual(foreign, []);
});

test('headroom-host embeds the same module', { skip: existsSync(HOST) ? false : `no headroom-host at ${HOST}` }, () => {
  const version = execFileSync(HOST, ['--version'], { encoding: 'utf8' });
  const prefix = /sha256 ([0-9a-f]+)/.exec(version)?.[1];
  assert.ok(prefix && prefix.length >= 12, `no module hash in: ${version.trim()}`);
  assert.ok(sha256(PKG_WASM).startsWith(prefix), `host embeds ${prefix}…, the package ships ${sha256(PKG_WASM).slice(0, 12)}…`);
});
