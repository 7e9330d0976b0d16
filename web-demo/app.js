/**
 * The page: inputs and controls, the Web Worker that runs the engine, and
 * the result's figures, transforms table and chart (the output and diff
 * views are in views.js). Nothing here compresses anything; the worker does.
 */
import { splitLines } from './diff.js';
import { savingsChart } from './chart.js';
import { gapSpans, renderBlockDiffs, renderDiff, renderOutput, savedPercent } from './views.js';

const $ = (id) => document.getElementById(id);
const ui = {
  engine: $('engine'), engineText: $('engine-text'), engineProgress: $('engine-progress'),
  sample: $('sample'), file: $('file'), inputSize: $('input-size'), clear: $('clear'), input: $('input'),
  shape: $('shape'), path: $('path'), pathBox: $('path-box'), profile: $('profile'), bias: $('bias'), biasValue: $('bias-value'), query: $('query'),
  compress: $('compress'), busy: $('busy'), busyText: $('busy-text'), error: $('error'),
  results: $('results'), tokens: $('tokens'), saved: $('saved'), facts: $('facts'), note: $('note'),
  transforms: $('transforms'), chartBox: $('chart-box'), chart: $('chart'),
  tabOutput: $('tab-output'), tabDiff: $('tab-diff'), output: $('output'), diff: $('diff'),
};

/**
 * Inputs longer than this are not put in the text box whole: a textarea
 * holding megabytes makes every layout of the page slow (hundreds of ms), so
 * it shows a read-only preview and the text itself is kept aside.
 */
const BIG_INPUT = 1_000_000;
const PREVIEW = 64_000;

const fmt = (n) => n.toLocaleString('en-US');
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

// ---- the worker -----------------------------------------------------------

let worker;
let ready = false;
let nextId = 1;
const pending = new Map();

function startWorker() {
  ready = false;
  ui.compress.disabled = true;
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => {
    if (data.type === 'progress') return showProgress(data.loaded, data.total);
    if (data.type === 'ready') return engineReady(data);
    if (data.type === 'fatal') return engineFailed(data.message);
    const callback = pending.get(data.id);
    pending.delete(data.id);
    callback?.(data);
  };
  worker.onerror = (event) => engineFailed(event.message || 'the worker could not start');
}

/** Ask the worker; resolves with the result, rejects with `{code, message}`. */
function ask(type, payload) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, (reply) => (reply.ok ? resolve(reply.result) : reject(reply.error)));
    worker.postMessage({ id, type, ...payload });
  });
}

function showProgress(loaded, total) {
  ui.engineText.textContent = total ? `Loading the engine… ${mb(loaded)} of ${mb(total)}` : `Loading the engine… ${mb(loaded)}`;
  if (total) ui.engineProgress.value = loaded / total;
}

function engineReady({ version, wasmBytes, ms }) {
  ready = true;
  ui.engine.className = 'engine ready';
  ui.engineText.textContent = `Engine ready: headroom-engine ${version} · ${mb(wasmBytes)} wasm · loaded in ${(ms / 1000).toFixed(1)} s`;
  ui.engineProgress.hidden = true;
  ui.compress.disabled = false;
  document.body.dataset.engine = 'ready';
}

function engineFailed(message) {
  ui.engine.className = 'engine failed';
  ui.engineText.textContent = 'The engine could not be loaded.';
  ui.engineProgress.hidden = true;
  showError(`Could not load the engine: ${message}`);
}

// ---- inputs ---------------------------------------------------------------

async function loadSamples() {
  const samples = await (await fetch('samples/index.json')).json();
  for (const s of samples) ui.sample.append(new Option(`${s.label} · ${(s.bytes / 1024).toFixed(0)} KB`, s.id));
  ui.sample.addEventListener('change', async () => {
    const sample = samples.find((s) => s.id === ui.sample.value);
    delete ui.sample.dataset.loaded;
    if (!sample) return;
    setInput(await (await fetch(`samples/${sample.file}`)).text());
    ui.shape.value = sample.shape;
    ui.path.value = sample.path ?? '';
    showPathBox();
    ui.sample.dataset.loaded = sample.id;
  });
}

/**
 * The text as loaded from a sample, a file or a big paste. A textarea turns
 * CRLF into LF, so until the user edits it, this (not the textarea's value)
 * is compressed.
 */
let loaded = null;

function setInput(text) {
  const big = text.length > BIG_INPUT;
  ui.input.readOnly = big;
  ui.input.value = big
    ? `${text.slice(0, PREVIEW)}\n\n[… a preview: the first ${PREVIEW / 1000} KB of ${mb(text.length)} are shown, all of it is compressed. "Clear" empties the box for typing.]`
    : text;
  loaded = text;
  showInputSize();
  hideResults();
}

function clearInput() {
  setInput('');
  loaded = null;
  ui.sample.value = '';
  ui.input.focus();
}

function currentInput() {
  return loaded ?? ui.input.value;
}

function showInputSize() {
  const bytes = new TextEncoder().encode(currentInput()).length;
  ui.inputSize.textContent = bytes ? `${bytes < 1e5 ? `${fmt(bytes)} bytes` : mb(bytes)}` : '';
}

async function readFile(file) {
  try {
    setInput(new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer()));
    ui.sample.value = '';
    ui.path.value = file.name;
  } catch {
    showError(`${file.name} is not UTF-8 text. Headroom compresses text tool outputs.`);
  }
}

function options() {
  return { profile: ui.profile.value, bias: Number(ui.bias.value), query: ui.query.value.trim(), path: ui.path.value.trim() };
}

/** A file path only means something for a single tool output: bodies carry their tool calls. */
function showPathBox() {
  ui.pathBox.hidden = ui.shape.value !== 'tool';
}

// ---- compressing ----------------------------------------------------------

let busySince = 0;
let busyTimer;

function setBusy(on, bytes = 0) {
  ui.busy.hidden = !on;
  ui.compress.disabled = on || !ready;
  clearInterval(busyTimer);
  document.body.dataset.busy = on ? 'true' : 'false';
  if (!on) return;
  busySince = performance.now();
  const tick = () => (ui.busyText.textContent = `Compressing ${mb(bytes)}… ${((performance.now() - busySince) / 1000).toFixed(1)} s`);
  tick();
  busyTimer = setInterval(tick, 100);
}

async function compress() {
  if (!ready) return;
  const input = currentInput();
  hideError();
  setBusy(true, new TextEncoder().encode(input).length);
  try {
    const result = await ask('compress', { input, shape: ui.shape.value, options: options() });
    showResult(input, result);
  } catch (err) {
    hideResults();
    showError(err.code && err.code !== 'invalid_input' ? `${err.message} (${err.code})` : err.message);
    if (err.code === 'engine_trap') {
      worker.terminate();
      startWorker();
    }
  } finally {
    setBusy(false);
  }
}

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}

function hideError() {
  ui.error.hidden = true;
}

function hideResults() {
  ui.results.hidden = true;
}

// ---- results --------------------------------------------------------------

function showResult(input, r) {
  ui.results.hidden = false;
  ui.results.dataset.tokensBefore = r.tokensBefore;
  ui.results.dataset.tokensAfter = r.tokensAfter;
  ui.tokens.textContent = `${fmt(r.tokensBefore)} → ${fmt(r.tokensAfter)}`;
  ui.saved.textContent = savedPercent(r.tokensBefore, r.tokensAfter);
  ui.facts.textContent =
    r.mode === 'tool'
      ? `routed as ${r.kind}${r.omitted ? ` · ${r.omitted} omitted` : ''} · ${r.ms.toFixed(0)} ms`
      : `${r.blocks.length} tool outputs, ${r.blocks.filter((b) => b.compressed).length} compressed · ${r.ms.toFixed(0)} ms`;
  const notes = [r.reason, r.warning].filter(Boolean);
  ui.note.textContent = notes.join(' ');
  ui.note.hidden = notes.length === 0;
  showTransforms(r);
  ui.chartBox.hidden = r.mode !== 'body' || r.blocks.length === 0;
  ui.chart.replaceChildren();
  if (r.mode === 'body' && r.blocks.length > 0) {
    ui.chart.append(savingsChart(r.blocks, (i) => {
      selectTab('diff');
      document.getElementById(`block-${i}`)?.scrollIntoView({ block: 'start' });
    }));
  }
  const retrieve = (hash) => ask('retrieve', { hash });
  if (r.mode === 'tool') renderOutput(ui.output, r.text, gapSpans(r), retrieve, r.hashes[0] ?? null);
  else renderOutput(ui.output, r.text, null, retrieve);
  ui.diff.replaceChildren();
  // The diff of a big input is thousands of rows: built when first looked at.
  pendingDiff = () => {
    if (r.mode === 'body') renderBlockDiffs(ui.diff, r.blocks);
    else if (r.compressed) renderDiff(ui.diff, splitLines(input), splitLines(r.text), r.runs);
    else ui.diff.textContent = 'Nothing changed.';
  };
  if (!ui.diff.hidden) selectTab('diff');
}

let pendingDiff = null;

/** One row per transform (bodies: per transform and kind), with tokens saved; time is for the whole call. */
function showTransforms(r) {
  const rows = new Map();
  const blocks = r.mode === 'tool' ? [{ ...r, transforms: r.transforms }] : r.blocks;
  for (const b of blocks) {
    const name = b.compressed ? b.transforms.join(' + ') || '—' : 'unchanged';
    const key = `${name}\u0000${b.kind}`;
    const row = rows.get(key) ?? { name, kind: b.kind, count: 0, before: 0, after: 0 };
    row.count += 1;
    row.before += b.tokensBefore;
    row.after += b.tokensAfter;
    rows.set(key, row);
  }
  const body = ui.transforms.tBodies[0];
  body.replaceChildren();
  let first = true;
  for (const row of rows.values()) {
    const tr = body.insertRow();
    const cells = [row.name, row.kind, fmt(row.count), fmt(row.before), fmt(row.after), savedPercent(row.before, row.after), first ? `${r.ms.toFixed(0)} ms (all)` : ''];
    for (const text of cells) tr.insertCell().textContent = text;
    first = false;
  }
}

function selectTab(which) {
  const diff = which === 'diff';
  ui.tabDiff.setAttribute('aria-selected', String(diff));
  ui.tabOutput.setAttribute('aria-selected', String(!diff));
  ui.diff.hidden = !diff;
  ui.output.hidden = diff;
  if (diff && pendingDiff) {
    const render = pendingDiff;
    pendingDiff = null;
    render();
  }
}

// ---- wiring ---------------------------------------------------------------

ui.compress.addEventListener('click', compress);
ui.input.addEventListener('keydown', (e) => e.key === 'Enter' && (e.ctrlKey || e.metaKey) && compress());
ui.clear.addEventListener('click', clearInput);
ui.input.addEventListener('paste', (e) => {
  const text = e.clipboardData?.getData('text/plain') ?? '';
  if (text.length <= BIG_INPUT) return;
  e.preventDefault();
  setInput(text);
  ui.sample.value = '';
  ui.path.value = '';
});
ui.input.addEventListener('input', () => {
  loaded = null;
  ui.sample.value = '';
  showInputSize();
});
ui.shape.addEventListener('change', showPathBox);
ui.bias.addEventListener('input', () => (ui.biasValue.textContent = `${ui.bias.value}×`));
ui.file.addEventListener('change', async () => {
  const file = ui.file.files[0];
  if (!file) return;
  await readFile(file);
  ui.file.value = ''; // its name is in the file path field; choosing the same file again reloads it
});
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  document.body.classList.add('dropping');
});
document.addEventListener('dragleave', (e) => e.relatedTarget === null && document.body.classList.remove('dropping'));
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dropping');
  const file = e.dataTransfer?.files?.[0];
  if (file) readFile(file);
});
ui.tabOutput.addEventListener('click', () => selectTab('output'));
ui.tabDiff.addEventListener('click', () => selectTab('diff'));

startWorker();
// Offline use once loaded (service workers need a secure context; 127.0.0.1 is one).
navigator.serviceWorker?.register('sw.js').catch(() => {});
loadSamples().catch((err) => showError(`Could not load the samples: ${err.message}`));
