// End-to-end tests of `headroom-host proxy` with the real @anthropic-ai/sdk
// and openai clients, a recording mock upstream, redis-server and SQLite.
// Prints one line per test and `N passed, M failed`; exits 1 on failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startUpstream } from './mock-upstream.mjs';
import { startProxy, startRedis, tempStore } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpusDir = process.env.HEADROOM_CORPUS || path.resolve(here, '../../../shared/corpus');
const MARKER = /headroom_retrieve\("([0-9a-f]{24})"\)|"retrieve":"([0-9a-f]{24})"/;

function corpusHead(rel, max) {
  const text = fs.readFileSync(path.join(corpusDir, rel), 'utf8');
  if (text.length <= max) return text;
  const cut = text.lastIndexOf('\n', max);
  return text.slice(0, cut + 1);
}

const LOG = corpusHead('logs/loghub_HDFS_2k.log', 25000);
const LOG2 = corpusHead('logs/cargo_build_v_hexyl.log', 25000);
const LOG3 = corpusHead('logs/loghub_Apache_2k.log', 25000);
const LOG4 = corpusHead('logs/loghub_OpenSSH_2k.log', 25000);
const LOG5 = corpusHead('logs/loghub_Hadoop_2k.log', 25000);
const LOG6 = corpusHead('logs/loghub_Zookeeper_2k.log', 25000);

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

// --- helpers ---------------------------------------------------------------

/** A fetch that remembers the exact request bodies the SDK sent. */
function recordingFetch(sent) {
  return async (url, init) => {
    sent.push(typeof init?.body === 'string' ? init.body : init?.body ? Buffer.from(init.body).toString('utf8') : '');
    return fetch(url, init);
  };
}

/** Undo the proxy's one allowed addition besides compression: the
 *  headroom_retrieve tool appended at the end of the body. */
function withoutInjectedTool(raw) {
  const at = raw.lastIndexOf(',"tools":[{"name":"headroom_retrieve"');
  const at2 = raw.lastIndexOf(',"tools":[{"type":"function"');
  const cut = Math.max(at, at2);
  return cut >= 0 && raw.endsWith(']}') && raw.slice(cut).includes('headroom_retrieve') ? raw.slice(0, cut) + '}' : raw;
}

/** `received` equals `sent` except one JSON string: the original tool
 *  output, now compressed. Returns the compressed text. */
function assertOnlyOutputChanged(sent, received, original) {
  received = withoutInjectedTool(received);
  const literal = JSON.stringify(original);
  const at = sent.indexOf(literal);
  assert.ok(at > 0, 'the client sent the original output as one JSON string');
  const prefix = sent.slice(0, at);
  const suffix = sent.slice(at + literal.length);
  assert.ok(received.startsWith(prefix), 'the bytes before the tool output are unchanged');
  assert.ok(received.endsWith(suffix), 'the bytes after the tool output are unchanged');
  const compressed = JSON.parse(received.slice(prefix.length, received.length - suffix.length));
  assert.equal(typeof compressed, 'string');
  assert.ok(MARKER.test(compressed), 'the compressed output carries a marker');
  assert.ok(compressed.length * 2 < original.length, `compressed ${original.length} -> ${compressed.length}`);
  return compressed;
}

const hashIn = (text) => {
  const m = MARKER.exec(text.replace(/\\"/g, '"'));
  return m && (m[1] || m[2]);
};

function anthropicParams(output, extra = {}) {
  return {
    model: 'claude-test',
    max_tokens: 256,
    ...extra,
    messages: [
      { role: 'user', content: 'Which blocks failed in the HDFS log?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'cat hdfs.log' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: output }] },
    ],
  };
}

function chatParams(output, extra = {}) {
  return {
    model: 'gpt-test',
    ...extra,
    messages: [
      { role: 'user', content: 'Why did the build fail?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'sh', arguments: '{"cmd":"cargo build -v"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: output },
    ],
  };
}

function responsesParams(output, extra = {}) {
  return {
    model: 'gpt-test',
    ...extra,
    input: [
      { role: 'user', content: 'Why did the build fail?' },
      { type: 'function_call', call_id: 'call_1', name: 'sh', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_1', output },
    ],
  };
}

// --- setup ------------------------------------------------------------------

const upstream = await startUpstream();
const redis = await startRedis();
const sqliteStore = tempStore('main');
let proxy = await startProxy({ upstream: upstream.url, store: sqliteStore });
const replicaA = await startProxy({ upstream: upstream.url, store: redis.url });
const replicaB = await startProxy({ upstream: upstream.url, store: redis.url });

const anthropic = (sent, baseURL = proxy.url) => new Anthropic({ baseURL, apiKey: 'sk-ant-test', maxRetries: 0, fetch: sent ? recordingFetch(sent) : undefined });
const openai = (sent, baseURL = proxy.url) => new OpenAI({ baseURL: `${baseURL}/v1`, apiKey: 'sk-openai-test', maxRetries: 0, fetch: sent ? recordingFetch(sent) : undefined });

let storedHash = null;

// --- real clients, compression ---------------------------------------------

test('anthropic sdk: tool output compressed, every other byte identical', async () => {
  const sent = [];
  const msg = await anthropic(sent).messages.create(anthropicParams(LOG));
  assert.equal(msg.content[0].text, 'ok');
  const got = upstream.last();
  assert.equal(got.headers.authorization, 'Bearer sk-ant-test', 'auth forwarded');
  const compressed = assertOnlyOutputChanged(sent[0], got.raw, LOG);
  storedHash = hashIn(compressed);
  const res = await fetch(`${proxy.url}/v1/retrieve/${storedHash}`);
  assert.equal(await res.text(), LOG);
});

test('anthropic sdk streaming (beta path with query string)', async () => {
  const sent = [];
  const stream = anthropic(sent).beta.messages.stream(anthropicParams(LOG), { query: { beta: 'true' } });
  const msg = await stream.finalMessage();
  assert.equal(msg.content[0].text, 'ok');
  const got = upstream.last();
  assert.equal(got.url, '/v1/messages?beta=true');
  assertOnlyOutputChanged(sent[0], got.raw, LOG);
});

test('openai sdk chat, streaming and not', async () => {
  for (const stream of [false, true]) {
    const sent = [];
    const client = openai(sent);
    if (stream) {
      let text = '';
      for await (const chunk of await client.chat.completions.create(chatParams(LOG, { stream: true }))) {
        text += chunk.choices[0]?.delta?.content ?? '';
      }
      assert.equal(text, 'ok');
    } else {
      const r = await client.chat.completions.create(chatParams(LOG));
      assert.equal(r.choices[0].message.content, 'ok');
    }
    const got = upstream.last();
    assert.equal(got.url, '/v1/chat/completions');
    assert.equal(got.headers.authorization, 'Bearer sk-openai-test');
    assertOnlyOutputChanged(sent[0], got.raw, LOG);
  }
});

test('openai sdk responses, streaming and not', async () => {
  for (const stream of [false, true]) {
    const sent = [];
    const client = openai(sent);
    if (stream) {
      const s = client.responses.stream(responsesParams(LOG3));
      const final = await s.finalResponse();
      assert.equal(final.output_text, 'ok');
    } else {
      const r = await client.responses.create(responsesParams(LOG3));
      assert.equal(r.output_text, 'ok');
    }
    assertOnlyOutputChanged(sent[0], upstream.last().raw, LOG3);
  }
});

test('multi-turn: the bytes forwarded for turn N are a prefix of turn N+1', async () => {
  const outputs = [LOG, LOG2, LOG3];
  const messages = [{ role: 'user', content: 'Look at these logs one by one.' }];
  const forwarded = [];
  for (let turn = 0; turn < outputs.length; turn++) {
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${turn}`, name: 'Bash', input: { command: `cat log${turn}` } }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${turn}`, content: outputs[turn] }] });
    await anthropic().messages.create({ model: 'claude-test', max_tokens: 64, messages });
    forwarded.push(withoutInjectedTool(upstream.last().raw));
  }
  for (let i = 0; i + 1 < forwarded.length; i++) {
    const head = forwarded[i].slice(0, forwarded[i].length - 2); // drop the closing `]}`
    assert.ok(forwarded[i].endsWith(']}'));
    assert.ok(forwarded[i + 1].startsWith(head), `turn ${i + 1} is a prefix of turn ${i + 2}`);
  }
});

// --- retrieval -------------------------------------------------------------

test('anthropic sdk streaming: the model retrieves, the client sees one stream', async () => {
  const before = upstream.requests.length;
  const stream = anthropic().messages.stream(anthropicParams(LOG3), { headers: { 'x-mock-retrieve': '1' } });
  const events = [];
  stream.on('streamEvent', (e) => events.push(e));
  const msg = await stream.finalMessage();
  assert.deepEqual(msg.content.map((b) => b.type), ['text', 'text']);
  assert.equal(msg.content[0].text, 'Let me look at the full output.');
  assert.equal(msg.content[1].text, `retrieved ${LOG3.length} chars`);
  assert.equal(msg.stop_reason, 'end_turn');
  assert.equal(events.filter((e) => e.type === 'message_start').length, 1);
  assert.equal(events.filter((e) => e.type === 'message_stop').length, 1);
  assert.deepEqual(events.filter((e) => e.type === 'content_block_start').map((e) => e.index), [0, 1]);
  assert.equal(msg.usage.output_tokens, 10, 'usage summed over the two rounds');
  const seen = upstream.requests.slice(before);
  assert.equal(seen.length, 2);
  const second = JSON.parse(seen[1].raw);
  const answer = second.messages.at(-1).content[0];
  assert.equal(answer.type, 'tool_result');
  assert.equal(answer.content, LOG3, 'the upstream received the exact original');
});

test('anthropic sdk non-streaming retrieval', async () => {
  const msg = await anthropic().messages.create(anthropicParams(LOG), { headers: { 'x-mock-retrieve': '1' } });
  assert.ok(!msg.content.some((b) => b.type === 'tool_use'));
  assert.equal(msg.content.at(-1).text, `retrieved ${LOG.length} chars`);
});

test('openai sdk chat streaming retrieval', async () => {
  const stream = openai().chat.completions.stream(chatParams(LOG4, { stream: true }), { headers: { 'x-mock-retrieve': '1' } });
  const final = await stream.finalChatCompletion();
  assert.equal(final.choices[0].message.content, `Let me look at the full output.retrieved ${LOG4.length} chars`);
  assert.ok(!final.choices[0].message.tool_calls?.length);
  assert.equal(JSON.parse(upstream.last().raw).messages.at(-1).content, LOG4);
});

test('openai sdk chat non-streaming retrieval: the same text as the stream', async () => {
  const LOG7 = corpusHead('logs/loghub_BGL_2k.log', 25000);
  const r = await openai().chat.completions.create(chatParams(LOG7), { headers: { 'x-mock-retrieve': '1' } });
  assert.equal(r.choices[0].message.content, `Let me look at the full output.retrieved ${LOG7.length} chars`);
  assert.ok(!r.choices[0].message.tool_calls?.length, 'the client never sees the call');
  assert.equal(r.usage.completion_tokens, 10, 'usage summed over the two rounds');
  const sent = JSON.parse(upstream.last().raw).messages;
  assert.equal(sent.at(-1).content, LOG7, 'the upstream received the exact original');
  assert.equal(sent.at(-2).content, 'Let me look at the full output.', 'the call went back with what the model said');
});

test('openai sdk responses non-streaming retrieval', async () => {
  const r = await openai().responses.create(responsesParams(LOG5), { headers: { 'x-mock-retrieve': '1' } });
  assert.equal(r.output_text, `Let me look at the full output.retrieved ${LOG5.length} chars`);
  assert.ok(!r.output.some((i) => i.type === 'function_call'));
});

test('openai sdk responses streaming retrieval: responses.create({stream: true}) sees one response', async () => {
  const before = upstream.requests.length;
  const stream = await openai().responses.create(responsesParams(LOG6, { stream: true }), { headers: { 'x-mock-retrieve': '1' } });
  const events = [];
  for await (const event of stream) events.push(event);
  const types = events.map((e) => e.type);
  assert.deepEqual(types.slice(0, 2), ['response.created', 'response.in_progress']);
  assert.equal(types.filter((t) => t === 'response.created').length, 1);
  assert.equal(types.filter((t) => t === 'response.completed').length, 1);
  assert.equal(types.at(-1), 'response.completed');
  assert.deepEqual(events.map((e) => e.sequence_number), events.map((_, i) => i), 'sequence numbers without gaps');
  assert.ok(!JSON.stringify(events).includes('headroom_retrieve'), 'the client never sees the call');
  const added = events.filter((e) => e.type === 'response.output_item.added');
  assert.deepEqual(added.map((e) => [e.item.id, e.output_index]), [['msg_0', 0], ['msg_2', 1]]);
  const text = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
  assert.equal(text, `Let me look at the full output.retrieved ${LOG6.length} chars`);
  const final = events.at(-1).response;
  assert.equal(final.id, events[0].response.id, 'one response id');
  assert.deepEqual(final.output.map((i) => i.id), ['msg_0', 'msg_2']);
  assert.equal(final.usage.output_tokens, 10, 'usage summed over the two rounds');
  const seen = upstream.requests.slice(before);
  assert.equal(seen.length, 2);
  const answer = JSON.parse(seen[1].raw).input.at(-1);
  assert.equal(answer.type, 'function_call_output');
  assert.equal(answer.output, LOG6, 'the upstream received the exact original');

  // The SDK's own accumulating helper agrees.
  const helper = openai().responses.stream(responsesParams(corpusHead('logs/loghub_Spark_2k.log', 25000)), { headers: { 'x-mock-retrieve': '1' } });
  const response = await helper.finalResponse();
  assert.match(response.output_text, /^Let me look at the full output\.retrieved \d+ chars$/);
  assert.ok(!response.output.some((i) => i.type === 'function_call'));
});

// --- stores ------------------------------------------------------------------

test('two replicas share one redis: written through one, retrieved through the other', async () => {
  await anthropic(null, replicaA.url).messages.create(anthropicParams(LOG));
  const hash = hashIn(upstream.last().raw);
  assert.ok(hash);
  const res = await fetch(`${replicaB.url}/v1/retrieve/${hash}`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), LOG);
});

test('sqlite: the proxy restarts (SIGTERM) and retrieve still works', async () => {
  assert.ok(storedHash, 'the first test stored a hash');
  const exit = await proxy.stop();
  assert.equal(exit.code, 0, `graceful exit: ${JSON.stringify(exit)}`);
  proxy = await startProxy({ upstream: upstream.url, store: sqliteStore });
  const res = await fetch(`${proxy.url}/v1/retrieve/${storedHash}`);
  assert.equal(await res.text(), LOG);
});

// --- faults ------------------------------------------------------------------

test('malformed body: forwarded byte-identical, the upstream answer passed back', async () => {
  const body = '{"model":"m","messages":[{"role":"user"';
  const res = await fetch(`${proxy.url}/v1/messages`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  assert.equal(res.status, 400);
  assert.equal(upstream.last().raw, body);
  assert.equal((await proxy.stats()).faults.malformed_body, 1);
});

test('upstream 4xx/5xx and connection reset reach the sdk faithfully', async () => {
  for (const status of [429, 500]) {
    await assert.rejects(
      anthropic().messages.create(anthropicParams(LOG), { headers: { 'x-mock-status': String(status) } }),
      (e) => e.status === status && e.error?.error?.message === `mock ${status}`,
    );
  }
  await assert.rejects(
    openai().chat.completions.create(chatParams(LOG), { headers: { 'x-mock-reset': '1' } }),
    (e) => e.status === 502,
  );
});

test('engine fault: a request still goes through, unmodified', async () => {
  const faulty = await startProxy({ upstream: upstream.url, store: tempStore('fault'), env: { HEADROOM_INJECT_ENGINE_FAULT: 'trap' } });
  try {
    const sent = [];
    const msg = await anthropic(sent, faulty.url).messages.create(anthropicParams(LOG));
    assert.equal(msg.content[0].text, 'ok');
    assert.equal(upstream.last().raw, sent[0]);
    assert.equal((await faulty.stats()).faults.engine_trap, 1);
  } finally {
    await faulty.stop();
  }
});

test('store killed mid-run: requests still succeed, uncompressed', async () => {
  await redis.stop();
  const sent = [];
  const msg = await anthropic(sent, replicaA.url).messages.create(anthropicParams(LOG3));
  assert.equal(msg.content[0].text, 'ok');
  assert.equal(upstream.last().raw, sent[0]);
  assert.ok((await replicaA.stats()).faults.store_unavailable >= 1);
});

// --- run ---------------------------------------------------------------------

let passed = 0;
let failed = 0;
for (const t of tests) {
  try {
    await t.fn();
    passed++;
    console.log(`ok - ${t.name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL - ${t.name}\n  ${String(e?.stack || e).split('\n').slice(0, 6).join('\n  ')}`);
  }
}
for (const p of [proxy, replicaA, replicaB]) await p.stop();
await redis.stop();
await upstream.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
