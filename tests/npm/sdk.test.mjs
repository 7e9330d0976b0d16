// withHeadroom() around the real @anthropic-ai/sdk and openai clients,
// talking to a loopback mock that records exactly what reached the wire.
// (openai 7 requires Node >= 22: run.sh runs this file under Node 22.)
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { requirePackage, requireDev, anthropicConversation, openaiChatConversation, openaiResponsesInput, blank, at, jsonRecords } from './helpers.mjs';
import { startUpstream } from './mock-upstream.mjs';

const h = requirePackage();
const Anthropic = requireDev('@anthropic-ai/sdk').default;
const OpenAI = requireDev('openai').default;

let upstream;
before(async () => {
  upstream = await startUpstream();
});
after(() => upstream.close());

const asyncStore = () => {
  const map = new Map();
  return {
    map,
    put: async (hash, original) => {
      await new Promise((r) => setTimeout(r, 2));
      map.set(hash, original);
    },
    get: async (hash) => map.get(hash),
  };
};

function anthropicParams(extra = {}) {
  return {
    model: 'claude-test',
    max_tokens: 256,
    system: [{ type: 'text', text: 'You are an SRE assistant.', cache_control: { type: 'ephemeral' } }],
    tools: [
      { name: 'list_services', description: 'List services', input_schema: { type: 'object', properties: { region: { type: 'string' } } } },
      h.retrieveToolDefinitions.anthropic,
    ],
    thinking: { type: 'enabled', budget_tokens: 1024 },
    metadata: { user_id: 'u-1' },
    messages: anthropicConversation(),
    ...extra,
  };
}

const ANTHROPIC_OUTPUT = ['messages', 2, 'content', 0, 'content'];

/** The recorded body equals what was asked for, except the tool output, which is compressed and keeps the failing records. */
function assertOnlyToolOutputChanged(sent, asked, path) {
  assert.deepEqual(blank(sent, [path]), blank(JSON.parse(JSON.stringify(asked)), [path]));
  const out = at(sent, path);
  assert.ok(out.length < at(asked, path).length * 0.5, `compressed: ${out.length} chars`);
  assert.match(out, /connection refused by upstream db-2/);
  return out;
}

describe('withHeadroom(@anthropic-ai/sdk)', () => {
  const client = () => new Anthropic({ apiKey: 'sk-test', baseURL: upstream.url, maxRetries: 0 });

  test('same client type back; the original client is left alone', async () => {
    const original = client();
    const wrapped = h.withHeadroom(original);
    assert.ok(wrapped instanceof Anthropic);
    assert.notEqual(wrapped, original);
    await original.messages.create(anthropicParams());
    assert.deepEqual(upstream.last().body, JSON.parse(JSON.stringify(anthropicParams())), 'unwrapped client sends the original');
  });

  test('messages.create: only the tool output changes; cache_control, thinking, images, tools, unknown fields preserved', async () => {
    const seen = [];
    const wrapped = h.withHeadroom(client(), { onCompress: (r, endpoint) => seen.push([endpoint, r.compressed]) });
    const params = anthropicParams({ x_unknown_top_level: { keep: 1 } });
    const message = await wrapped.messages.create(params);
    assert.equal(message.content[0].text, 'ok');
    const sent = upstream.last();
    assert.equal(sent.url, '/v1/messages');
    assert.ok(sent.headers['x-api-key'] === 'sk-test' || sent.headers.authorization === 'Bearer sk-test', 'credentials forwarded');
    const out = assertOnlyToolOutputChanged(sent.body, params, ANTHROPIC_OUTPUT);
    const [hash] = await h.findHashes(out);
    assert.equal(await h.retrieve(hash), jsonRecords());
    assert.deepEqual(seen, [['messages.create', true]]);
    assert.deepEqual(params.messages, anthropicConversation(), 'caller params not mutated');
  });

  test('messages.create with stream: true streams through', async () => {
    const wrapped = h.withHeadroom(client());
    const stream = await wrapped.messages.create(anthropicParams({ stream: true }));
    const types = [];
    for await (const event of stream) types.push(event.type);
    assert.deepEqual(types, ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    assert.equal(upstream.last().body.stream, true);
    assertOnlyToolOutputChanged(upstream.last().body, anthropicParams({ stream: true }), ANTHROPIC_OUTPUT);
  });

  test('messages.stream() helper goes through Headroom too', async () => {
    const wrapped = h.withHeadroom(client());
    const stream = wrapped.messages.stream(anthropicParams());
    let text = '';
    stream.on('text', (t) => (text += t));
    const final = await stream.finalMessage();
    assert.equal(text, 'ok');
    assert.equal(final.content[0].text, 'ok');
    assertOnlyToolOutputChanged(upstream.last().body, { ...anthropicParams(), stream: true }, ANTHROPIC_OUTPUT);
  });

  test('an asynchronous store: create().withResponse() and stream() still work, originals stored first', async () => {
    const store = asyncStore();
    const wrapped = h.withHeadroom(client(), { store });
    const { data, response } = await wrapped.messages.create(anthropicParams()).withResponse();
    assert.equal(data.content[0].text, 'ok');
    assert.equal(response.status, 200);
    const [hash] = await h.findHashes(at(upstream.last().body, ANTHROPIC_OUTPUT));
    assert.equal(store.map.get(hash), jsonRecords());
    const final = await wrapped.messages.stream(anthropicParams()).finalMessage();
    assert.equal(final.content[0].text, 'ok');
    assert.equal(upstream.last().body.stream, true);
    assertOnlyToolOutputChanged(upstream.last().body, { ...anthropicParams(), stream: true }, ANTHROPIC_OUTPUT);
  });

  test('messages.countTokens sees the compressed conversation', async () => {
    const wrapped = h.withHeadroom(client());
    await wrapped.messages.countTokens({ model: 'claude-test', messages: anthropicConversation() }).catch(() => undefined);
    const sent = upstream.last();
    assert.match(sent.url, /count_tokens/);
    assert.ok(at(sent.body, ['messages', 2, 'content', 0, 'content']).length < jsonRecords().length * 0.5);
  });

  test('fallback: false surfaces a HeadroomError instead of sending', async () => {
    const count = upstream.requests.length;
    const wrapped = h.withHeadroom(client(), { fallback: false, bias: -1 });
    await assert.rejects(wrapped.messages.create(anthropicParams()), (e) => e instanceof h.HeadroomError && e.code === 'invalid_options');
    assert.equal(upstream.requests.length, count, 'nothing sent');
    const lenient = h.withHeadroom(client(), { bias: -1 });
    await lenient.messages.create(anthropicParams());
    assert.deepEqual(upstream.last().body, JSON.parse(JSON.stringify(anthropicParams())), 'fallback sends the original');
  });
});

describe('withHeadroom(openai)', () => {
  const client = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${upstream.url}/v1`, maxRetries: 0 });
  const chatParams = (extra = {}) => ({
    model: 'gpt-test',
    messages: openaiChatConversation(),
    tools: [{ type: 'function', function: { name: 'list_services', parameters: { type: 'object', properties: {} } } }, h.retrieveToolDefinitions.openaiChat],
    temperature: 0,
    x_unknown: [1, 2],
    ...extra,
  });
  const CHAT_OUTPUT = ['messages', 3, 'content'];
  const responsesParams = (extra = {}) => ({
    model: 'gpt-test',
    instructions: 'Be brief.',
    input: openaiResponsesInput(),
    tools: [h.retrieveToolDefinitions.openaiResponses],
    ...extra,
  });
  const RESPONSES_OUTPUT = ['input', 2, 'output'];

  test('same client type back', () => {
    assert.ok(h.withHeadroom(client()) instanceof OpenAI);
  });

  test('chat.completions.create, plain and streaming', async () => {
    const wrapped = h.withHeadroom(client());
    const completion = await wrapped.chat.completions.create(chatParams());
    assert.equal(completion.choices[0].message.content, 'ok');
    assert.equal(upstream.last().url, '/v1/chat/completions');
    assert.equal(upstream.last().headers.authorization, 'Bearer sk-test');
    assertOnlyToolOutputChanged(upstream.last().body, chatParams(), CHAT_OUTPUT);

    const stream = await wrapped.chat.completions.create(chatParams({ stream: true }));
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text, 'ok');
    assertOnlyToolOutputChanged(upstream.last().body, chatParams({ stream: true }), CHAT_OUTPUT);
  });

  test('chat.completions.stream() helper, with an asynchronous store', async () => {
    const store = asyncStore();
    const wrapped = h.withHeadroom(client(), { store });
    const params = chatParams();
    delete params.x_unknown;
    const final = await wrapped.chat.completions.stream(params).finalChatCompletion();
    assert.equal(final.choices[0].message.content, 'ok');
    const out = assertOnlyToolOutputChanged(upstream.last().body, { ...params, stream: true }, CHAT_OUTPUT);
    const [hash] = await h.findHashes(out);
    assert.equal(store.map.get(hash), jsonRecords());
  });

  test('responses.create, plain and streaming, and responses.stream()', async () => {
    const wrapped = h.withHeadroom(client());
    const response = await wrapped.responses.create(responsesParams());
    assert.equal(response.output_text, 'ok');
    assert.equal(upstream.last().url, '/v1/responses');
    assertOnlyToolOutputChanged(upstream.last().body, responsesParams(), RESPONSES_OUTPUT);

    const events = [];
    for await (const event of await wrapped.responses.create(responsesParams({ stream: true }))) events.push(event.type);
    assert.equal(events.at(-1), 'response.completed');
    assertOnlyToolOutputChanged(upstream.last().body, responsesParams({ stream: true }), RESPONSES_OUTPUT);

    const final = await wrapped.responses.stream(responsesParams()).finalResponse();
    assert.equal(final.output_text, 'ok');
    assert.equal(upstream.last().body.stream, true);
    assertOnlyToolOutputChanged(upstream.last().body, { ...responsesParams(), stream: true }, RESPONSES_OUTPUT);
  });

  test('a string input passes through untouched', async () => {
    const wrapped = h.withHeadroom(client());
    await wrapped.responses.create({ model: 'gpt-test', input: 'hello' });
    assert.deepEqual(upstream.last().body, { model: 'gpt-test', input: 'hello' });
  });
});

test('withHeadroom refuses objects that are not SDK clients', () => {
  assert.throws(() => h.withHeadroom({}), (e) => e.code === 'unsupported_client');
  assert.throws(() => h.withHeadroom({ withOptions: () => ({}) }), (e) => e.code === 'unsupported_client');
});
