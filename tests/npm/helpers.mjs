// Shared by the npm package tests: where the built package is, and fixtures
// shaped like what real agents send.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The assembled package (scripts/build-npm.sh). */
export const PKG_DIR = join(REPO, 'dist/npm/headroom-ai');
/** THE module (scripts/build-wasm.sh; HEADROOM_WASM names another, as for build-npm.sh and headroom-host's build). */
export const WASM = process.env.HEADROOM_WASM ? resolve(process.env.HEADROOM_WASM) : join(REPO, 'dist/wasm/headroom_engine_bg.wasm');
/** The real corpus of tool outputs (HEADROOM_CORPUS, default ../shared/corpus beside the repository). */
export const CORPUS = process.env.HEADROOM_CORPUS ?? resolve(REPO, '../shared/corpus');

if (!existsSync(join(PKG_DIR, 'package.json'))) {
  throw new Error(`${PKG_DIR} is missing: run scripts/build-npm.sh (tests/npm/run.sh does) first`);
}

/** The package through its CommonJS entry (what `require('headroom-ai')` gives in Node). */
export const requirePackage = () => createRequire(import.meta.url)(join(PKG_DIR, 'cjs/node/index.js'));
/** The package through its Node ESM entry. */
export const importPackage = () => import(pathToFileURL(join(PKG_DIR, 'cjs/node/index.mjs')).href);

/** A require() that resolves from the repository root (its devDependencies). */
export const requireDev = createRequire(join(REPO, 'package.json'));
export const importDev = (name) => import(pathToFileURL(requireDev.resolve(name)).href);

/**
 * A JSON tool output with `n` records, a few of them failing: the kind of
 * list an agent gets from an API or a `kubectl get -o json`.
 */
export function jsonRecords(n = 100) {
  const regions = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1'];
  const items = [];
  for (let i = 0; i < n; i++) {
    const failed = i === 17 || i === 63;
    items.push({
      id: `svc-${String(i).padStart(4, '0')}`,
      name: `worker-${i}`,
      region: regions[i % regions.length],
      status: failed ? 'error' : 'ok',
      latency_ms: failed ? 5000 + i : 20 + ((i * 37) % 41),
      restarts: failed ? 7 : i % 3 === 0 ? 1 : 0,
      message: failed ? `connection refused by upstream db-${i % 5}` : 'healthy',
      updated_at: `2025-03-01T10:${String(i % 60).padStart(2, '0')}:00Z`,
    });
  }
  return JSON.stringify(items, null, 2);
}

/** A build log: hundreds of routine lines and two distinct errors. */
export function buildLog(lines = 400) {
  const out = [];
  for (let i = 0; i < lines; i++) {
    out.push(`[2025-03-01 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}] INFO compiling module_${i}.rs (${100 + i} lines)`);
    if (i === 150) out.push('error[E0308]: mismatched types in src/engine/module_150.rs:42:17');
    if (i === 300) out.push('error: linking with `cc` failed: exit status: 1');
  }
  out.push('Finished with 2 errors');
  return out.join('\n');
}

/**
 * A log whose lines differ in their words, not only in numbers, so they do
 * not collapse into one template: how much of it is kept depends on the
 * profile and the bias, which is what profile and bias tests need.
 */
export function variedLog(lines = 2000) {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike', 'november', 'oscar', 'papa', 'quebec', 'romeo', 'sierra', 'tango'];
  const out = [];
  for (let i = 0; i < lines; i++) {
    const [a, b, c] = [words[i % 20], words[Math.floor(i / 20) % 20], words[Math.floor(i / 400) % 20]];
    out.push(`[2025-03-01 10:00:${String(i % 60).padStart(2, '0')}] INFO ${a} ${b} ${c} stage finished for worker ${a}-${b}`);
    if (i === 150) out.push('error[E0308]: mismatched types in src/engine/module_150.rs:42:17');
  }
  return out.join('\n');
}

/** Anthropic Messages conversation: a user turn, a tool call, its (large) result, and the rest of what real requests carry. */
export function anthropicConversation(output = jsonRecords()) {
  return [
    { role: 'user', content: [{ type: 'text', text: 'Which services are failing in us-east-1?', cache_control: { type: 'ephemeral' } }] },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I should list the services.', signature: 'sig-abc123' },
        { type: 'tool_use', id: 'toolu_01', name: 'list_services', input: { region: 'all' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_01', content: output, cache_control: { type: 'ephemeral' } },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
        { type: 'text', text: 'Here is the list.', x_unknown_field: { keep: true } },
      ],
    },
  ];
}

/** OpenAI Chat Completions conversation. */
export function openaiChatConversation(output = jsonRecords()) {
  return [
    { role: 'system', content: 'You are an SRE assistant.' },
    { role: 'user', content: 'Which services are failing?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'list_services', arguments: '{"region":"all"}' } }],
    },
    { role: 'tool', tool_call_id: 'call_1', content: output },
    { role: 'user', content: [{ type: 'text', text: 'Summarize.' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
  ];
}

/** OpenAI Responses input items. */
export function openaiResponsesInput(output = jsonRecords()) {
  return [
    { role: 'user', content: [{ type: 'input_text', text: 'Which services are failing?' }] },
    { type: 'function_call', call_id: 'call_1', name: 'list_services', arguments: '{"region":"all"}' },
    { type: 'function_call_output', call_id: 'call_1', output },
  ];
}

/** Vercel AI SDK language-model prompt (LanguageModelV3/V4Prompt). */
export function vercelPrompt(output = jsonRecords()) {
  return [
    { role: 'system', content: 'You are an SRE assistant.' },
    { role: 'user', content: [{ type: 'text', text: 'Which services are failing?' }], providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } } },
    {
      role: 'assistant',
      content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'list_services', input: { region: 'all' } }],
    },
    {
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          toolCallId: 'call_1',
          toolName: 'list_services',
          output: { type: 'text', value: output },
          providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } },
        },
      ],
    },
  ];
}

/** `value` with every string longer than `min` characters replaced, to compare everything except big tool outputs. */
export function withoutLargeStrings(value, min = 1000) {
  return JSON.parse(JSON.stringify(value), (_k, v) => (typeof v === 'string' && v.length > min ? '<large>' : v));
}

/** Deep-equal `actual` and `expected` after blanking the values at `paths` (e.g. `[2, 'content', 0, 'content']`) in both. */
export function blank(value, paths) {
  const copy = structuredClone(value);
  for (const path of paths) {
    let node = copy;
    for (const key of path.slice(0, -1)) node = node[key];
    node[path[path.length - 1]] = '<blanked>';
  }
  return copy;
}

/** Value at `path` in `value`. */
export function at(value, path) {
  return path.reduce((node, key) => node[key], value);
}
