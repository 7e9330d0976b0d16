/** Shared by the playground's tests: where things are, the Node package, the samples. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(REPO, 'web-demo/dist');
export const PKG_DIR = path.resolve(REPO, process.env.HEADROOM_PKG ?? 'dist/npm/headroom-ai');
export const CHROMIUM = process.env.HEADROOM_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(REPO, 'tests/artifacts');

const require = createRequire(import.meta.url);

/** The Node build of the package, the one the page's results are compared with. */
export const headroom = require(PKG_DIR);

export function requireDev(name) {
  return createRequire(path.join(REPO, 'package.json'))(name);
}

/** The built samples: `{id: {meta..., text}}`. */
export function samples() {
  const index = JSON.parse(readFileSync(path.join(DIST, 'samples/index.json'), 'utf8'));
  return Object.fromEntries(index.map((s) => [s.id, { ...s, text: readFileSync(path.join(DIST, 'samples', s.file), 'utf8') }]));
}

/** The tool context the page sends for a sample read from a file (the "File path" field). */
export function toolOf(sample) {
  return sample.path ? { toolName: 'Read', toolArgs: JSON.stringify({ file_path: sample.path }) } : undefined;
}

/** As the page shows it. */
export const savedPercent = (before, after) => (before > 0 ? ((before - after) / before) * 100 : 0).toFixed(1) + '%';
export const fmt = (n) => n.toLocaleString('en-US');
