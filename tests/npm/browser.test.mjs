// Browser smoke test: the package's web build, loaded as plain ES modules
// (no bundler) from a static server on loopback into headless Debian
// chromium driven by playwright-core, compresses fixtures exactly as the
// Node build does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PKG_DIR, CORPUS, requireDev, requirePackage, anthropicConversation, vercelPrompt, openaiResponsesInput } from './helpers.mjs';

const CHROMIUM = process.env.HEADROOM_CHROMIUM ?? '/usr/bin/chromium';
const h = requirePackage();

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html' };

/** The test page: imports the package's browser entry by URL, like any app without a bundler. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>headroom-ai smoke</title>
<script type="module">
  import * as headroom from '/esm/browser/index.js';
  window.headroom = headroom;
  window.compressHere = async (messages, options) => JSON.parse(JSON.stringify(await headroom.compress(messages, options)));
  document.title = 'ready';
</script>`;

let server;
let origin;
let browser;
let page;
const served = [];
const pageErrors = [];

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (apt-get install chromium, or set HEADROOM_CHROMIUM)`);
  server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      return;
    }
    const file = path.join(PKG_DIR, path.normalize(decodeURIComponent(url.pathname)));
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (!file.startsWith(PKG_DIR + path.sep) || !existsSync(file)) {
      pageErrors.push(`404 ${url.pathname}`);
      res.writeHead(404).end();
      return;
    }
    served.push(url.pathname);
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  const { chromium } = requireDev('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  page = await browser.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => msg.type() === 'error' && pageErrors.push(msg.text()));
  await page.goto(origin);
  await page.waitForFunction(() => document.title === 'ready', null, { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

/** A real log from the corpus when it is there, else a synthetic one. */
function corpusLog() {
  const dir = path.join(CORPUS, 'logs');
  if (!existsSync(dir)) return undefined;
  const file = readdirSync(dir).sort()[0];
  return readFileSync(path.join(dir, file), 'utf8');
}

const node = async (messages, options) => JSON.parse(JSON.stringify(await h.compress(messages, options)));
const browserSide = (messages, options) => page.evaluate(([m, o]) => window.compressHere(m, o), [messages, options]);

test('compress() without init(): the module is fetched on first use and the result equals Node\'s', async () => {
  const messages = anthropicConversation();
  const [inBrowser, inNode] = [await browserSide(messages), await node(messages)];
  assert.equal(inBrowser.compressed, true);
  assert.deepEqual(inBrowser, inNode);
  assert.ok(served.includes('/engine/headroom_engine_bg.wasm'), 'the .wasm next to the glue was fetched');
  assert.deepEqual(pageErrors, []);
});

test('a corpus log, a Vercel prompt and an OpenAI Responses input: identical output in chromium and Node', async () => {
  const log = corpusLog();
  for (const messages of [anthropicConversation(log), vercelPrompt(log), openaiResponsesInput()]) {
    const inBrowser = await browserSide(messages);
    assert.deepEqual(inBrowser, await node(messages));
    assert.equal(inBrowser.compressed, true);
  }
  const lossless = await browserSide(anthropicConversation(log), { store: false });
  assert.deepEqual(lossless, await node(anthropicConversation(log), { store: false }));
  assert.deepEqual(lossless.ccrHashes, []);
});

test('retrieve() in the browser returns the original behind the marker', async () => {
  const messages = anthropicConversation();
  const restored = await page.evaluate(async (m) => {
    const r = await window.headroom.compress(m);
    return window.headroom.retrieve(r.ccrHashes[0]);
  }, messages);
  assert.equal(restored, messages[2].content[0].content);
});

test('init() is idempotent and the engine reports its version; errors are HeadroomErrors', async () => {
  const out = await page.evaluate(async () => {
    await window.headroom.init();
    await window.headroom.init();
    let error;
    try {
      await window.headroom.compress('nope');
    } catch (e) {
      error = { name: e.name, code: e.code, isHeadroom: e instanceof window.headroom.HeadroomError };
    }
    return { version: await window.headroom.engineVersion(), error };
  });
  assert.equal(out.version, await h.engineVersion());
  assert.deepEqual(out.error, { name: 'HeadroomError', code: 'invalid_input', isHeadroom: true });
  assert.deepEqual(pageErrors, []);
});
