#!/usr/bin/env node
/**
 * Assembles the playground into web-demo/dist/ (not committed): the page's
 * own files, the browser build of the npm package `headroom-ai` exactly as
 * scripts/build-npm.sh produced it (the same .wasm bytes, checked by hash),
 * and sample inputs taken from the real corpus.
 *
 *   node web-demo/build.mjs
 *   HEADROOM_PKG=dist/npm/headroom-ai  HEADROOM_CORPUS=../shared/corpus  (defaults, relative to the repo root)
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSamples } from './samples.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const pkg = path.resolve(repo, process.env.HEADROOM_PKG ?? 'dist/npm/headroom-ai');
const corpus = path.resolve(repo, process.env.HEADROOM_CORPUS ?? '../shared/corpus');
const out = path.join(here, 'dist');

/** The page's hand-written files, served as they are (plain ES modules, no bundler). */
const PAGE_FILES = ['index.html', 'style.css', 'app.js', 'worker.js', 'diff.js', 'markers.js', 'chart.js', 'views.js', 'sw.js'];
/** The parts of the package a browser loads: the ESM build, the web glue and the one module. */
const PKG_PARTS = ['esm', 'engine/web', 'engine/headroom_engine_bg.wasm'];

function die(message) {
  console.error(`web-demo build: ${message}`);
  process.exit(1);
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

if (!existsSync(path.join(pkg, 'package.json'))) die(`${pkg} is missing: run bash scripts/build-npm.sh first`);
if (!existsSync(path.join(corpus, 'MANIFEST.tsv'))) die(`no corpus at ${corpus} (set HEADROOM_CORPUS)`);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const file of PAGE_FILES) cpSync(path.join(here, file), path.join(out, file));
for (const part of PKG_PARTS) cpSync(path.join(pkg, part), path.join(out, 'headroom-ai', part), { recursive: true });

const wasm = 'engine/headroom_engine_bg.wasm';
const shipped = sha256(path.join(pkg, wasm));
if (sha256(path.join(out, 'headroom-ai', wasm)) !== shipped) die('the copied .wasm differs from the package\'s');

const samples = buildSamples(corpus);
mkdirSync(path.join(out, 'samples'));
for (const sample of samples) writeFileSync(path.join(out, 'samples', sample.file), sample.text);
const index = samples.map(({ text, ...meta }) => ({ ...meta, bytes: Buffer.byteLength(text) }));
const version = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')).version;
writeFileSync(path.join(out, 'samples', 'index.json'), JSON.stringify(index, null, 2) + '\n');
writeFileSync(path.join(out, 'build.json'), JSON.stringify({ package: `headroom-ai@${version}`, wasmSha256: shipped }, null, 2) + '\n');
// Everything the service worker keeps for offline use: every file but itself.
const files = readdirSync(out, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => path.relative(out, path.join(entry.parentPath ?? entry.path, entry.name)).split(path.sep).join('/'))
  .filter((file) => file !== 'sw.js' && !file.endsWith('.d.ts'))
  .sort();
writeFileSync(path.join(out, 'offline.json'), JSON.stringify(['./', ...files, 'offline.json'], null, 1) + '\n');
console.log(`web-demo: built ${path.relative(repo, out)}/ (headroom-ai@${version}, wasm sha256 ${shipped.slice(0, 12)}…, ${samples.length} samples)`);
