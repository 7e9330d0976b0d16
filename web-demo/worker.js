/**
 * The engine's side of the playground, in a Web Worker so that compressing
 * megabytes never blocks the page. It loads the npm package's browser build
 * (the same .wasm the Node package and headroom-host run), compresses what
 * the page sends, keeps the originals in the package's in-memory CCR store
 * and answers retrievals from it.
 *
 * Messages in:  {id, type: 'compress', input, shape, options} | {id, type: 'retrieve', hash}
 * Messages out: {type: 'progress', loaded, total} | {type: 'ready', version, wasmBytes, ms}
 *               | {type: 'fatal', message} | {id, ok: true, result} | {id, ok: false, error: {code, message}}
 */
import * as headroom from './headroom-ai/esm/browser/index.js';
import { alignLines, splitLines } from './diff.js';

const WASM_URL = new URL('./headroom-ai/engine/headroom_engine_bg.wasm', import.meta.url);

/** The request-body field holding the conversation, per shape (as the package wraps it). */
const LIST_FIELD = { anthropic: 'messages', 'openai-chat': 'messages', 'openai-responses': 'input', vercel: 'prompt' };
const SHAPE_NAMES = { anthropic: 'Anthropic Messages', 'openai-chat': 'OpenAI Chat', 'openai-responses': 'OpenAI Responses', vercel: 'Vercel AI SDK' };

/** An error the page shows as it is: input the playground cannot handle. */
class InputError extends Error {
  constructor(message) {
    super(message);
    this.code = 'invalid_input';
  }
}

const ready = load();

/** Fetch the module with progress reports (it is large), then instantiate it. */
async function load() {
  const started = performance.now();
  const response = await fetch(WASM_URL);
  if (!response.ok) throw new Error(`${WASM_URL.pathname} answered ${response.status} ${response.statusText}`);
  const total = Number(response.headers.get('content-length')) || 0;
  const chunks = [];
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    postMessage({ type: 'progress', loaded, total });
  }
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  await headroom.init(bytes);
  const version = await headroom.engineVersion();
  postMessage({ type: 'ready', version, wasmBytes: loaded, ms: performance.now() - started });
}

ready.catch((err) => postMessage({ type: 'fatal', message: err?.message ?? String(err) }));

onmessage = async ({ data }) => {
  try {
    await ready;
    const result = data.type === 'retrieve' ? await retrieveOriginal(data.hash) : await compressInput(data);
    postMessage({ id: data.id, ok: true, result });
  } catch (err) {
    postMessage({ id: data.id, ok: false, error: { code: err?.code ?? 'error', message: err?.message ?? String(err) } });
  }
};

async function retrieveOriginal(hash) {
  const original = await headroom.retrieve(hash);
  if (original === undefined) throw new InputError(`no original stored under ${hash} (compressed in an earlier session, or expired)`);
  return original;
}

/** Package options the way the page's controls set them; absent means the package's default. */
function packageOptions({ profile, bias, query }) {
  const options = {};
  if (profile) options.profile = profile;
  if (bias !== undefined && bias !== 1) options.bias = bias;
  if (query) options.query = query;
  return options;
}

async function compressInput({ input, shape, options }) {
  if (typeof input !== 'string' || input.trim() === '') throw new InputError('Nothing to compress: paste text, drop a file or pick a sample.');
  if (input.includes('\u0000')) throw new InputError('This looks like a binary file. Headroom compresses text tool outputs (JSON, logs, test output, search results, diffs, source code, text).');
  if (shape !== 'tool') return compressBody(input, shape, packageOptions(options));
  const toolOptions = packageOptions(options);
  // As an agent's Read call would name it: the engine routes source code by extension.
  if (options.path) toolOptions.tool = { toolName: 'Read', toolArgs: JSON.stringify({ file_path: options.path }) };
  return compressToolOutput(input, toolOptions);
}

async function compressToolOutput(input, options) {
  const started = performance.now();
  const r = await headroom.compressText(input, options);
  const ms = performance.now() - started;
  return {
    mode: 'tool',
    text: r.text,
    compressed: r.compressed,
    kind: r.kind,
    transforms: r.transforms,
    tokensBefore: r.tokensBefore,
    tokensAfter: r.tokensAfter,
    hashes: r.ccr ? [r.ccr.hash] : [],
    omitted: r.ccr?.omitted ?? '',
    ms,
    reason: r.compressed ? '' : whyUnchanged(input),
    runs: r.compressed ? alignLines(splitLines(input), splitLines(r.text)) : [],
  };
}

function whyUnchanged(input) {
  if (new TextEncoder().encode(input).length < 512) return 'The input is under 512 bytes: Headroom leaves small outputs alone.';
  if (input.includes('[headroom:') || input.includes('"_headroom"')) return 'The input already carries a Headroom marker: compressed outputs are never compressed again.';
  return 'No transform saved at least 10% of the tokens, so the original is kept.';
}

async function compressBody(input, shape, options) {
  const field = LIST_FIELD[shape];
  if (!field) throw new InputError(`unknown shape ${shape}`);
  let body;
  try {
    body = JSON.parse(input);
  } catch (err) {
    throw new InputError(`Not valid JSON (${err.message}). For "${SHAPE_NAMES[shape]}" paste a whole request body or its \`${field}\` array; for anything else choose "Tool output".`);
  }
  const list = Array.isArray(body) ? body : body?.[field];
  if (!Array.isArray(list)) {
    throw new InputError(`A ${SHAPE_NAMES[shape]} request body has a \`${field}\` array; this JSON has none. Paste the body or the array itself, or choose "Tool output" to compress this JSON as a tool output.`);
  }
  const started = performance.now();
  const r = await headroom.compress(list, { ...options, shape, fallback: false });
  const ms = performance.now() - started;
  const outBody = Array.isArray(body) ? r.messages : { ...body, [field]: r.messages };
  const blocks = withTexts(r.blocks, list, r.messages, field);
  const reported = blocks.reduce((sum, b) => [sum[0] + b.tokensBefore, sum[1] + b.tokensAfter], [0, 0]);
  return {
    mode: 'body',
    shape,
    text: JSON.stringify(outBody, null, 2),
    compressed: r.compressed,
    transforms: r.transformsApplied,
    tokensBefore: r.tokensBefore,
    tokensAfter: r.tokensAfter,
    hashes: r.ccrHashes,
    ms,
    reason: r.compressed ? '' : blocks.length === 0 ? `No tool outputs found in this ${SHAPE_NAMES[shape]} body.` : 'No tool output was worth compressing (each is small, or no transform saved 10%).',
    blocks,
    warning:
      reported[0] === r.tokensBefore && reported[1] === r.tokensAfter
        ? ''
        : `per-block figures (${reported[0]} → ${reported[1]}) differ from the totals (${r.tokensBefore} → ${r.tokensAfter})`,
  };
}

/**
 * What happened to each tool output (the block reports `compress()` returns),
 * with the text before and after for the diff view. A report's path is into
 * the wrapped body (`messages[2].content[0].content`).
 */
function withTexts(blocks, list, compressedList, field) {
  const before = { [field]: list };
  const after = { [field]: compressedList };
  return blocks.map((block) => {
    const out = { ...block };
    if (block.compressed) {
      const a = asText(valueAt(before, block.path));
      const b = asText(valueAt(after, block.path));
      out.before = a;
      out.after = b;
      out.runs = alignLines(splitLines(a), splitLines(b));
    }
    return out;
  });
}

/** The value at a report path such as `messages[2].content[0].content`. */
function valueAt(root, pathText) {
  let value = root;
  for (const [, key, index] of pathText.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) value = value?.[key ?? Number(index)];
  return value;
}

function asText(value) {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}
