// The playground in headless Debian chromium (playwright-core, no downloaded
// browser): served by web-demo/serve.mjs, it loads the package's web build in
// a Web Worker, and what it shows must equal what the Node package computes
// for the same input and options.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { serve } from '../../web-demo/serve.mjs';
import { ARTIFACTS, CHROMIUM, DIST, PKG_DIR, fmt, headroom, requireDev, samples, savedPercent, toolOf } from './helpers.mjs';

const SAMPLES = samples();
let server;
let origin;
let browser;
let page;
const problems = [];

before(async () => {
  if (!existsSync(path.join(DIST, 'index.html'))) throw new Error('web-demo/dist is missing: run node web-demo/build.mjs');
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM} (apt-get install chromium, or set HEADROOM_CHROMIUM)`);
  ({ server, url: origin } = await serve({ port: 0 }));
  const { chromium } = requireDev('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
  page.on('response', (res) => res.status() >= 400 && problems.push(`${res.status()} ${res.url()}`));
  await page.goto(origin);
  await page.waitForSelector('body[data-engine=ready]', { timeout: 120_000 });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

/** Pick a sample, set the controls, compress, wait for the result (or the error). */
async function run(sampleId, { profile = 'balanced', bias = '1', query = '' } = {}) {
  await page.selectOption('#sample', '');
  await page.selectOption('#sample', sampleId);
  await page.waitForSelector(`#sample[data-loaded="${sampleId}"]`);
  await page.selectOption('#profile', profile);
  await page.fill('#query', query);
  await page.$eval('#bias', (el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }, bias);
  return compressNow();
}

async function compressNow() {
  await page.click('#compress');
  await page.waitForFunction(() => document.body.dataset.busy === 'false' && (!document.getElementById('results').hidden || !document.getElementById('error').hidden), null, { timeout: 120_000 });
  return page.evaluate(() => ({
    error: document.getElementById('error').hidden ? null : document.getElementById('error').textContent,
    tokens: document.getElementById('tokens').textContent,
    saved: document.getElementById('saved').textContent,
    output: document.getElementById('output').textContent,
    bars: document.querySelectorAll('#chart svg .bar').length,
    compressedBars: document.querySelectorAll('#chart svg .bar.compressed').length,
    transforms: [...document.querySelectorAll('#transforms tbody tr')].map((tr) => tr.cells[0].textContent),
  }));
}

test('the page runs the package\'s web build: the same .wasm bytes, served as application/wasm, in a worker', async () => {
  const res = await fetch(new URL('headroom-ai/engine/headroom_engine_bg.wasm', origin));
  assert.equal(res.headers.get('content-type'), 'application/wasm');
  const served = createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex');
  const shipped = createHash('sha256').update(readFileSync(path.join(PKG_DIR, 'engine/headroom_engine_bg.wasm'))).digest('hex');
  assert.equal(served, shipped);
  assert.match(await page.textContent('#engine-text'), /^Engine ready: headroom-engine \d+\.\d+\.\d+/);
  assert.equal(await page.evaluate(() => typeof globalThis.wasm_bindgen), 'undefined', 'no engine on the page thread');
});

test('while the engine loads, Compress waits; when it cannot be loaded, the page says so', async () => {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const broken = await context.newPage();
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await broken.route('**/headroom_engine_bg.wasm', async (route) => {
    await held;
    await route.fulfill({ status: 404, body: 'gone' });
  });
  await broken.goto(origin);
  await broken.waitForSelector('#engine-text');
  assert.match(await broken.textContent('#engine-text'), /^Loading the engine…/);
  assert.equal(await broken.isDisabled('#compress'), true);
  release();
  await broken.waitForSelector('#error:not([hidden])');
  assert.match(await broken.textContent('#error'), /^Could not load the engine: \/headroom-ai\/engine\/headroom_engine_bg.wasm answered 404/);
  await context.close();
});

test('a log sample: the savings figure and the output equal the Node package\'s', async () => {
  const shown = await run('log');
  const r = await headroom.compressText(SAMPLES.log.text, { profile: 'balanced' });
  assert.equal(shown.error, null);
  assert.equal(shown.output, r.text);
  assert.equal(shown.tokens, `${fmt(r.tokensBefore)} → ${fmt(r.tokensAfter)}`);
  assert.equal(shown.saved, savedPercent(r.tokensBefore, r.tokensAfter));
  assert.ok(parseFloat(shown.saved) > 85, shown.saved);
  assert.deepEqual(shown.transforms, r.transforms);
});

test('profile, bias and query reach the engine: test output, aggressive, bias 0.5, a query', async () => {
  const options = { profile: 'aggressive', bias: 0.5, query: 'current_app' };
  const shown = await run('test', { ...options, bias: '0.5' });
  const r = await headroom.compressText(SAMPLES.test.text, options);
  assert.equal(shown.output, r.text);
  assert.equal(shown.saved, savedPercent(r.tokensBefore, r.tokensAfter));
  const balanced = await headroom.compressText(SAMPLES.test.text, { profile: 'balanced' });
  assert.notEqual(r.text, balanced.text, 'the options change the result');
});

test('a source file read by an agent: the file path reaches the engine (routed as code), as in Node', async () => {
  const shown = await run('code');
  assert.equal(await page.inputValue('#path'), SAMPLES.code.path);
  const r = await headroom.compressText(SAMPLES.code.text, { profile: 'balanced', tool: toolOf(SAMPLES.code) });
  assert.equal(r.kind, 'code');
  assert.equal(shown.output, r.text);
  assert.equal(shown.saved, savedPercent(r.tokensBefore, r.tokensAfter));
  assert.match(await page.textContent('#facts'), /^routed as code/);
  // An elided body expands to exactly the lines it stands for.
  const elision = page.locator('#output .marker.elision').first();
  const count = Number((await elision.textContent()).match(/^… (\d+) lines? omitted/)[1]);
  await elision.click();
  const [, from, to] = (await page.textContent('#output .original .original-head')).match(/^lines ([\d,]+)–([\d,]+) of the original/);
  assert.equal(Number(to) - Number(from) + 1, count);
  const lines = SAMPLES.code.text.split('\n').slice(Number(from) - 1, Number(to)).join('\n');
  assert.equal(await page.textContent('#output .original .original-text'), lines);
});

test('clicking a marker expands the exact original from the in-page store; a gap line its omitted lines', async () => {
  await run('log');
  await page.click('#output .marker.block');
  const original = await page.textContent('#output .original[data-original=full] .original-text');
  assert.equal(original, SAMPLES.log.text);
  await page.click('#output .marker.block'); // collapses again
  assert.equal(await page.locator('#output .original').count(), 0);

  await run('search');
  const gaps = page.locator('#output .marker.gap');
  if ((await gaps.count()) > 0) {
    await gaps.first().click();
    const head = await page.textContent('#output .original .original-head');
    const [, from, to] = head.match(/^lines ([\d,]+)–([\d,]+) of the original/).map((s) => s.replaceAll(',', ''));
    const shown = await page.textContent('#output .original .original-text');
    assert.equal(shown, SAMPLES.search.text.split('\n').slice(Number(from) - 1, Number(to)).join('\n'));
  }
});

test('an Anthropic body: the compressed messages equal Node compress(); one bar per tool output', async () => {
  const shown = await run('anthropic');
  const body = JSON.parse(SAMPLES.anthropic.text);
  const r = await headroom.compress(body.messages, { profile: 'balanced', shape: 'anthropic' });
  assert.equal(shown.error, null);
  const out = JSON.parse(shown.output);
  assert.deepEqual(out.messages, r.messages);
  assert.equal(out.model, body.model, 'the rest of the body is kept');
  assert.equal(shown.saved, savedPercent(r.tokensBefore, r.tokensAfter));
  const toolResults = body.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((p) => p.type === 'tool_result');
  assert.equal(shown.bars, toolResults.length);
  assert.ok(shown.compressedBars >= 4 && shown.compressedBars < shown.bars, `${shown.compressedBars} of ${shown.bars} compressed`);
  assert.equal(await page.isHidden('#note'), true, 'block figures add up to the totals');
  await page.screenshot({ path: path.join(ARTIFACTS, 'web-demo-body.png'), fullPage: true });
});

test('an OpenAI Chat body and a pasted Vercel AI SDK prompt (a bare array) come back as Node gives them', async () => {
  const chat = await run('openai-chat');
  const body = JSON.parse(SAMPLES['openai-chat'].text);
  const r = await headroom.compress(body.messages, { profile: 'balanced', shape: 'openai-chat' });
  assert.deepEqual(JSON.parse(chat.output).messages, r.messages);
  assert.equal(chat.saved, savedPercent(r.tokensBefore, r.tokensAfter));

  const prompt = [
    { role: 'system', content: 'You are an SRE assistant.' },
    { role: 'user', content: [{ type: 'text', text: 'Why do blocks go missing?' }] },
    { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'bash', input: { command: 'cat hdfs.log' } }] },
    { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', toolName: 'bash', output: { type: 'text', value: SAMPLES.log.text } }] },
  ];
  await page.fill('#input', JSON.stringify(prompt, null, 2));
  await page.selectOption('#shape', 'vercel');
  const shown = await compressNow();
  const v = await headroom.compress(prompt, { profile: 'balanced', shape: 'vercel' });
  assert.deepEqual(JSON.parse(shown.output), v.messages);
  assert.equal(shown.saved, savedPercent(v.tokensBefore, v.tokensAfter));
  assert.equal(shown.bars, 1);
});

test('input it cannot handle gets a clear message', async () => {
  await page.fill('#input', 'this is not JSON');
  await page.selectOption('#shape', 'anthropic');
  assert.match((await compressNow()).error, /^Not valid JSON .*Anthropic Messages/);
  await page.fill('#input', '{"model": "x"}');
  assert.match((await compressNow()).error, /has a `messages` array; this JSON has none/);
  await page.fill('#input', '   ');
  await page.selectOption('#shape', 'tool');
  assert.match((await compressNow()).error, /^Nothing to compress/);
  await page.fill('#input', '[{"content": "no role"}]');
  await page.selectOption('#shape', 'openai-chat');
  assert.match((await compressNow()).error, /not a message of any known shape/);
  await page.fill('#input', 'short');
  await page.selectOption('#shape', 'tool');
  const small = await compressNow();
  assert.equal(small.error, null);
  assert.match(await page.textContent('#note'), /under 512 bytes/);
});

test('a dropped file is read as UTF-8 text (its name becomes the file path); a binary one is refused; a big paste is kept whole', async () => {
  const drop = async (name, bytes) => {
    const dataTransfer = await page.evaluateHandle(([n, b]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(b)], n));
      return dt;
    }, [name, [...bytes]]);
    await page.dispatchEvent('#input', 'drop', { dataTransfer });
  };
  await page.selectOption('#shape', 'tool');
  await drop('models.py', Buffer.from(SAMPLES.code.text.slice(0, 20_000)));
  await page.waitForFunction(() => document.getElementById('path').value === 'models.py');
  assert.equal(await page.inputValue('#input'), SAMPLES.code.text.slice(0, 20_000));
  await drop('image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00]));
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error'), /image\.png is not UTF-8 text/);

  let pasted = '';
  while (pasted.length < 1_500_000) pasted += SAMPLES.log.text;
  await page.fill('#input', '');
  await page.$eval('#input', (el, text) => {
    const clipboardData = new DataTransfer();
    clipboardData.setData('text/plain', text);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true }));
  }, pasted);
  assert.equal(await page.$eval('#input', (el) => el.readOnly), true);
  assert.equal(await page.inputValue('#path'), '', 'a paste has no file path');
  const shown = await compressNow();
  const r = await headroom.compressText(pasted, { profile: 'balanced' });
  assert.equal(shown.output, r.text, 'the whole paste was compressed, not the preview');
  await page.click('#clear');
  assert.equal(await page.$eval('#input', (el) => el.readOnly || el.value !== ''), false);
});

test('a 5 MB input: the page stays responsive while the worker compresses it', async (t) => {
  let big = '';
  while (big.length < 5_000_000) big += SAMPLES.log.text;
  await page.selectOption('#shape', 'tool');
  await page.setInputFiles('#file', { name: 'hdfs-big.log', mimeType: 'text/plain', buffer: Buffer.from(big) });
  await page.waitForFunction(() => /\[… a preview: the first 64 KB of 5\.\d MB are shown/.test(document.getElementById('input').value));
  assert.equal(await page.inputValue('#path'), 'hdfs-big.log');
  // A timer in the page notes the longest gap between its ticks while the worker is busy: a main thread
  // blocked by the engine would show one gap as long as the whole call.
  await page.evaluate(() => {
    const probe = (window.probe = { maxGap: 0, busyMs: 0, ticks: 0, texts: new Set() });
    let last = performance.now();
    probe.timer = setInterval(() => {
      const now = performance.now();
      if (document.body.dataset.busy === 'true') {
        probe.maxGap = Math.max(probe.maxGap, now - last);
        probe.busyMs += now - last;
        probe.ticks += 1;
        probe.texts.add(document.getElementById('busy-text').textContent);
      }
      last = now;
    }, 20);
  });
  await page.click('#compress');
  await page.waitForFunction(() => document.body.dataset.busy === 'false' && !document.getElementById('results').hidden, null, { timeout: 180_000 });
  const probe = await page.evaluate(() => {
    clearInterval(window.probe.timer);
    return { ...window.probe, texts: [...window.probe.texts] };
  });
  const workMs = Number((await page.textContent('#facts')).match(/· (\d+) ms$/)[1]);
  t.diagnostic(`5 MB: ${workMs} ms of work, ${probe.ticks} ticks, longest gap ${probe.maxGap.toFixed(0)} ms`);
  // A 20 ms timer on a free main thread ticks ~workMs / 20 times while the worker runs; a thread
  // blocked by the engine would tick at most once (after the call). Half of that, and at least 3.
  const expectedTicks = Math.max(3, Math.floor(workMs / 20 / 2));
  assert.ok(probe.ticks >= expectedTicks, `the page ticked ${probe.ticks} times over ${workMs} ms of work (expected >= ${expectedTicks})`);
  assert.ok(probe.maxGap < Math.max(250, workMs / 2), `the page's timers were held up ${probe.maxGap.toFixed(0)} ms during ${workMs} ms of work`);
  assert.ok(probe.texts.some((t) => /^Compressing 5\.\d MB… \d+\.\d s$/.test(t)), probe.texts.join(' | '));
  const saved = await page.textContent('#saved');
  assert.ok(parseFloat(saved) > 95, saved);
});

test('screenshot: a compressed log with one marker expanded', async () => {
  await run('log');
  await page.click('#output .marker.block');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'web-demo.png'), fullPage: false });
  assert.ok(existsSync(path.join(ARTIFACTS, 'web-demo.png')));
});

test('offline once loaded: with the server gone, a reload still runs the engine and compresses', async () => {
  const context = await browser.newContext();
  const offline = await context.newPage();
  await offline.goto(origin);
  await offline.waitForSelector('body[data-engine=ready]', { timeout: 120_000 });
  // The service worker has copied every file once it is active.
  await offline.evaluate(() => navigator.serviceWorker.ready);
  await offline.waitForFunction(async () => (await (await caches.open('headroom-playground')).keys()).length > 20, null, { timeout: 120_000 });
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  server = undefined;
  const gone = await fetch(origin).then(() => false, () => true);
  assert.ok(gone, 'the server is down');
  await offline.reload();
  await offline.waitForSelector('body[data-engine=ready]', { timeout: 120_000 });
  await offline.selectOption('#sample', 'diff');
  await offline.waitForSelector('#sample[data-loaded="diff"]');
  await offline.click('#compress');
  await offline.waitForFunction(() => document.body.dataset.busy === 'false' && !document.getElementById('results').hidden, null, { timeout: 120_000 });
  const r = await headroom.compressText(SAMPLES.diff.text, { profile: 'balanced' });
  assert.equal(await offline.textContent('#output'), r.text);
  await context.close();
});

test('no page errors, failed requests or console errors along the way', () => {
  assert.deepEqual(problems, []);
});
