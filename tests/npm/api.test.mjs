// The package's own API in Node: compress() on every shape, CCR round trips,
// lossless-only without a store, hooks and biases, failures, stores, shared
// context, the retrieve tool. Runs against the built package (CJS and ESM).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  requirePackage,
  importPackage,
  jsonRecords,
  buildLog,
  variedLog,
  anthropicConversation,
  openaiChatConversation,
  openaiResponsesInput,
  vercelPrompt,
  blank,
  at,
} from './helpers.mjs';

const h = requirePackage();

const SHAPES = [
  { shape: 'anthropic', make: anthropicConversation, path: [2, 'content', 0, 'content'] },
  { shape: 'openai-chat', make: openaiChatConversation, path: [3, 'content'] },
  { shape: 'openai-responses', make: openaiResponsesInput, path: [2, 'output'] },
  { shape: 'vercel', make: vercelPrompt, path: [3, 'content', 0, 'output', 'value'] },
];

describe('compress()', () => {
  for (const { shape, make, path } of SHAPES) {
    test(`${shape}: detects the shape, compresses only the tool output, returns the same shape`, async () => {
      const messages = make();
      const before = structuredClone(messages);
      const result = await h.compress(messages);
      assert.equal(result.shape, shape);
      assert.equal(result.compressed, true, 'a 100-record JSON output must compress');
      assert.ok(result.tokensAfter < result.tokensBefore, `${result.tokensAfter} < ${result.tokensBefore}`);
      assert.equal(result.tokensSaved, result.tokensBefore - result.tokensAfter);
      assert.equal(result.compressionRatio, result.tokensAfter / result.tokensBefore);
      assert.ok(result.transformsApplied.length > 0);
      assert.deepEqual(messages, before, 'the input is not mutated');
      assert.equal(result.messages.length, messages.length);
      assert.deepEqual(blank(result.messages, [path]), blank(messages, [path]), 'everything but the tool output is intact');
      const out = at(result.messages, path);
      assert.equal(typeof out, 'string');
      assert.ok(out.length < at(messages, path).length);
      assert.match(out, /connection refused by upstream db-2/, 'failing records are kept');
      // Untouched messages are the caller's own objects.
      assert.equal(result.messages[0], messages[0]);
    });
  }

  for (const { shape, make, path } of SHAPES) {
    test(`${shape}: one block report per tool output, summing to the totals`, async () => {
      const messages = make();
      const result = await h.compress(messages);
      assert.equal(result.blocks.length, 1, JSON.stringify(result.blocks));
      const [block] = result.blocks;
      assert.equal(block.messageIndex, path[0], 'the report points at the tool output\'s message');
      assert.equal(block.kind, 'json');
      assert.equal(block.compressed, true);
      assert.equal(block.tokensBefore, result.tokensBefore);
      assert.equal(block.tokensAfter, result.tokensAfter);
      assert.deepEqual(block.transforms, result.transformsApplied);
      assert.equal(typeof block.hash, 'string');
      assert.deepEqual([block.hash], result.ccrHashes);
      const failed = await h.compress(messages, { store: { put() { throw new Error('down'); }, get() {} } });
      assert.ok(failed.error, 'a store failure falls back to the originals');
      assert.deepEqual(failed.blocks, [], 'no block was compressed when the originals are used');
    });
  }

  test('every marker hash is stored, and retrieve() returns the exact original', async () => {
    const messages = anthropicConversation();
    const result = await h.compress(messages);
    assert.ok(result.ccrHashes.length >= 1, 'the lossy JSON selection writes a marker');
    const text = at(result.messages, [2, 'content', 0, 'content']);
    assert.deepEqual(await h.findHashes(text), result.ccrHashes);
    for (const hash of result.ccrHashes) {
      assert.ok(text.includes(hash));
      assert.equal(await h.retrieve(hash), at(messages, [2, 'content', 0, 'content']));
    }
    assert.equal(await h.retrieve('0'.repeat(24)), undefined);
  });

  test('compressing a compressed conversation changes nothing (idempotent, cache-stable)', async () => {
    const first = await h.compress(openaiChatConversation());
    const second = await h.compress(first.messages);
    assert.deepEqual(second.messages, first.messages);
    assert.equal(second.messages[3], first.messages[3], 'already-marked output is left as the same object');
    const again = await h.compress(openaiChatConversation());
    assert.deepEqual(again.messages, first.messages, 'deterministic');
  });

  test('without a store only lossless compression happens: no markers, nothing omitted', async () => {
    const messages = anthropicConversation();
    const result = await h.compress(messages, { store: false });
    assert.deepEqual(result.ccrHashes, []);
    const out = at(result.messages, [2, 'content', 0, 'content']);
    assert.deepEqual(await h.findHashes(out), [], 'no marker without a store');
    assert.ok(!out.includes('omitted'), 'nothing omitted');
    if (result.compressed) {
      // Lossless JSON compaction keeps every record.
      for (let i = 0; i < 100; i++) assert.ok(out.includes(`svc-${String(i).padStart(4, '0')}`), `record ${i} kept`);
    }
  });

  test('a custom asynchronous store receives every original before compress() resolves', async () => {
    const saved = new Map();
    const store = {
      async put(hash, original, meta) {
        await new Promise((r) => setTimeout(r, 5));
        saved.set(hash, { original, meta });
      },
      async get(hash) {
        return saved.get(hash)?.original;
      },
    };
    const messages = vercelPrompt(buildLog());
    const result = await h.compress(messages, { store });
    assert.equal(result.compressed, true);
    assert.ok(result.ccrHashes.length > 0);
    for (const hash of result.ccrHashes) {
      assert.ok(saved.has(hash), 'stored before resolving');
      assert.equal(saved.get(hash).original, buildLog());
      assert.equal(typeof saved.get(hash).meta.omitted, 'string');
      assert.equal(await h.retrieve(hash, { store }), buildLog());
    }
    const out = at(result.messages, [3, 'content', 0, 'output', 'value']);
    assert.match(out, /error\[E0308\]: mismatched types/);
    assert.match(out, /error: linking with `cc` failed/);
  });

  test('excludeTools, frozenMessageCount and minBytes leave outputs alone', async () => {
    const messages = openaiChatConversation();
    for (const options of [{ excludeTools: ['list_services'] }, { frozenMessageCount: 4 }, { minBytes: 1e9 }]) {
      const result = await h.compress(messages, options);
      assert.equal(result.messages[3], messages[3], JSON.stringify(options));
      assert.equal(result.compressed, false, JSON.stringify(options));
    }
  });

  test('profiles change how much is kept', async () => {
    const sizes = {};
    for (const profile of h.PROFILES) {
      const result = await h.compress(vercelPrompt(variedLog(2000)), { profile });
      sizes[profile] = result.tokensAfter;
    }
    assert.deepEqual(h.PROFILES, ['conservative', 'balanced', 'aggressive']);
    assert.ok(sizes.conservative > sizes.balanced && sizes.balanced >= sizes.aggressive, JSON.stringify(sizes));
  });

  test('tokenBudget compresses harder until the tool outputs fit, and no harder than needed', async () => {
    const messages = vercelPrompt(variedLog(2000));
    const plain = await h.compress(messages);
    const roomy = await h.compress(messages, { tokenBudget: plain.tokensAfter });
    assert.deepEqual(roomy.messages, plain.messages, 'a budget already met changes nothing');
    const aggressive = await h.compress(messages, { profile: 'aggressive' });
    const tight = await h.compress(messages, { tokenBudget: aggressive.tokensAfter });
    assert.ok(tight.tokensAfter <= aggressive.tokensAfter, `${tight.tokensAfter} <= ${aggressive.tokensAfter}`);
    assert.ok(tight.tokensAfter < plain.tokensAfter);
    const floor = await h.compress(messages, { tokenBudget: 1 });
    assert.ok(floor.tokensAfter < aggressive.tokensAfter, `below the aggressive profile: ${floor.tokensAfter} < ${aggressive.tokensAfter}`);
    assert.match(at(floor.messages, [3, 'content', 0, 'output', 'value']), /error\[E0308\]/, 'errors survive any budget');
    assert.equal(await h.retrieve(floor.ccrHashes[0]), variedLog(2000));
    await assert.rejects(h.compress(messages, { tokenBudget: -1 }), (e) => e.code === 'invalid_options' && /options\.tokenBudget/.test(e.message));
  });

  test('an explicit shape is used; bad input gets a clear HeadroomError', async () => {
    await assert.rejects(h.compress('hello'), (e) => e instanceof h.HeadroomError && e.code === 'invalid_input' && /expected an array of messages, got string/.test(e.message));
    await assert.rejects(h.compress({ messages: [] }), (e) => e.code === 'invalid_input');
    await assert.rejects(h.compress([null]), (e) => e.code === 'invalid_input' && /messages\[0\]/.test(e.message));
    await assert.rejects(h.compress([{ foo: 1 }]), (e) => e.code === 'unknown_shape' && /no `role` or `type`/.test(e.message));
    await assert.rejects(h.compress([], { shape: 'gemini' }), (e) => e.code === 'invalid_options' && /options\.shape/.test(e.message));
    await assert.rejects(h.compress([], { profle: 'balanced' }), (e) => e.code === 'invalid_options' && /options\.profle: unknown option/.test(e.message));
    const empty = await h.compress([]);
    assert.deepEqual(empty.messages, []);
    assert.equal(empty.compressed, false);
  });

  test('fallback: true returns the originals with compressed:false and an error, and tells the hook', async () => {
    const events = [];
    const messages = anthropicConversation();
    const result = await h.compress(messages, { bias: -1, hooks: { postCompress: (e) => events.push(e) } });
    assert.equal(result.compressed, false);
    assert.equal(result.messages, messages);
    assert.ok(result.error instanceof h.HeadroomError);
    assert.equal(result.error.code, 'invalid_options');
    assert.match(result.error.message, /options\.bias/);
    assert.equal(events.length, 1);
    assert.equal(events[0].compressed, false);
    assert.equal(events[0].error, result.error);
  });

  test('fallback: false throws a typed HeadroomError (engine errors and store errors alike)', async () => {
    await assert.rejects(
      h.compress(anthropicConversation(), { bias: -1, fallback: false }),
      (e) => e instanceof h.HeadroomError && e instanceof Error && e.code === 'invalid_options',
    );
    const broken = { get() {}, put() { throw new Error('disk full'); } };
    await assert.rejects(
      h.compress(anthropicConversation(), { store: broken, fallback: false }),
      (e) => e.code === 'store_error' && /disk full/.test(e.message) && e.cause.message === 'disk full',
    );
    const fallback = await h.compress(anthropicConversation(), { store: broken });
    assert.equal(fallback.compressed, false);
    assert.equal(fallback.error.code, 'store_error');
  });
});

describe('hooks', () => {
  test('preCompress can rewrite, computeBiases really changes per-message compression, postCompress sees the event', async () => {
    const log = variedLog(2000);
    const messages = [
      ...openaiChatConversation(log).slice(0, 4),
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'build', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_2', content: log },
    ];
    const plain = await h.compress(messages);
    const calls = [];
    const hooks = {
      preCompress(msgs, ctx) {
        calls.push(['pre', ctx.shape, ctx.profile, ctx.model]);
        return msgs;
      },
      computeBiases(msgs) {
        calls.push(['biases', msgs.length]);
        return { 5: 4 }; // keep ~4x more of the second log
      },
      postCompress(event) {
        calls.push(['post', event]);
      },
    };
    const biased = await h.compress(messages, { hooks, model: 'gpt-x' });
    const first = (r) => r.messages[3].content;
    const second = (r) => r.messages[5].content;
    assert.equal(first(biased), first(plain), 'message 3 has no bias: identical');
    assert.ok(second(biased).length > second(plain).length * 1.5, `bias 4 keeps more: ${second(biased).length} vs ${second(plain).length}`);
    assert.deepEqual(calls[0], ['pre', 'openai-chat', 'balanced', 'gpt-x']);
    assert.deepEqual(calls[1], ['biases', 6]);
    const event = calls[2][1];
    for (const key of ['shape', 'model', 'profile', 'messageCount', 'tokensBefore', 'tokensAfter', 'tokensSaved', 'compressionRatio', 'transformsApplied', 'ccrHashes', 'compressed', 'durationMs']) {
      assert.ok(key in event, `event.${key}`);
    }
    assert.equal(event.messageCount, 6);
    assert.equal(event.tokensSaved, biased.tokensSaved);
    assert.ok(event.durationMs >= 0);

    // A Map and [[index, bias]] pairs work the same; bad indexes are refused.
    const viaMap = await h.compress(messages, { hooks: { computeBiases: () => new Map([[5, 4]]) } });
    assert.equal(second(viaMap), second(biased));
    const bad = await h.compress(messages, { hooks: { computeBiases: () => ({ 9: 2 }) } });
    assert.equal(bad.compressed, false);
    assert.match(bad.error.message, /message index 9/);
  });

  test('preCompress may replace the messages; async hooks work; the base class is usable', async () => {
    class DropImages extends h.CompressionHooks {
      async preCompress(msgs) {
        return msgs.map((m) => (Array.isArray(m.content) ? { ...m, content: m.content.filter((p) => p.type !== 'image') } : m));
      }
    }
    const result = await h.compress(anthropicConversation(), { hooks: new DropImages() });
    assert.equal(result.messages[2].content.length, 2);
    assert.equal(result.compressed, true);
  });
});

describe('MemoryStore', () => {
  test('entries expire after their TTL and are evicted by count and size, least recently used first', () => {
    let now = 0;
    const store = new h.MemoryStore({ ttlMs: 100, maxEntries: 2, maxChars: 10, now: () => now });
    const meta = { kind: 'log', omitted: '1 of 2 lines' };
    store.put('a', 'aaa', meta);
    store.put('b', 'bbb', meta);
    assert.equal(store.get('a'), 'aaa'); // a is now the most recently used
    store.put('c', 'ccc', meta); // over maxEntries: b goes
    assert.equal(store.get('b'), undefined);
    assert.equal(store.get('a'), 'aaa');
    store.put('d', 'dddddddd', meta); // 3 + 3 + 8 chars > 10: evict LRU until it fits
    assert.equal(store.size, 1);
    assert.equal(store.get('d'), 'dddddddd');
    now = 150;
    assert.equal(store.get('d'), undefined, 'expired');
    store.put('huge', 'x'.repeat(11), meta);
    assert.equal(store.get('huge'), undefined, 'larger than the cap: not kept');
    const stats = store.stats();
    assert.equal(stats.entries, 0);
    assert.ok(stats.evictions >= 2 && stats.hits >= 3 && stats.misses >= 2);
    assert.throws(() => new h.MemoryStore({ ttlMs: 0 }), /ttlMs/);
  });
});

describe('SharedContext', () => {
  test('put compresses, get returns compressed or full, keys/stats/clear', async () => {
    let now = 1000;
    const ctx = new h.SharedContext({ ttlMs: 500, now: () => now });
    const log = buildLog(1000);
    const entry = ctx.put('build', log, { agent: 'builder' });
    ctx.put('note', 'short note', { agent: 'planner' });
    assert.ok(entry.tokensAfter < entry.tokensBefore);
    assert.equal(ctx.get('build', { full: true }), log);
    const compressed = ctx.get('build');
    assert.ok(compressed.length < log.length);
    assert.match(compressed, /error\[E0308\]/);
    assert.equal(ctx.get('note'), 'short note');
    assert.deepEqual(ctx.keys(), ['build', 'note']);
    // The marker in the compressed form resolves through the shared store.
    assert.equal(await h.retrieve(entry.hash), log);
    const stats = ctx.stats();
    assert.equal(stats.entries, 2);
    assert.equal(stats.tokensSaved, stats.tokensBefore - stats.tokensAfter);
    assert.deepEqual(Object.keys(stats.byAgent).sort(), ['builder', 'planner']);
    now = 2000;
    assert.equal(ctx.get('build'), undefined, 'expired');
    ctx.put('x', 'y');
    ctx.clear();
    assert.deepEqual(ctx.keys(), []);
    assert.throws(() => ctx.put('', 'x'), (e) => e.code === 'invalid_input');
  });
});

describe('retrieval tools', () => {
  test('raw SDK definitions name headroom_retrieve with a hash parameter', () => {
    const d = h.retrieveToolDefinitions;
    assert.equal(d.anthropic.name, 'headroom_retrieve');
    assert.deepEqual(d.anthropic.input_schema.required, ['hash']);
    assert.equal(d.openaiChat.function.name, 'headroom_retrieve');
    assert.equal(d.openaiResponses.name, 'headroom_retrieve');
    assert.equal(d.openaiResponses.type, 'function');
  });

  test('headroomRetrieveTool answers with the original, or a sentence the model can act on', async () => {
    const result = await h.compress(openaiChatConversation());
    const [hash] = result.ccrHashes;
    assert.equal(await h.headroomRetrieveTool.execute({ hash }), jsonRecords());
    assert.match(await h.headroomRetrieveTool.execute({ hash: 'f'.repeat(24) }), /no original stored/);
    assert.match(await h.headroomRetrieveTool.execute({ nope: 1 }), /expected \{"hash"/);
    const std = h.headroomRetrieveTool.inputSchema['~standard'];
    assert.deepEqual(std.validate({ hash }), { value: { hash } });
    assert.ok(std.validate(42).issues.length > 0);
    assert.equal(std.jsonSchema.input({ target: 'draft-07' }).properties.hash.type, 'string');
  });

  test("the retrieve tool's own output is never compressed again", async () => {
    const log = buildLog(2000);
    const messages = [
      { role: 'user', content: 'why did the build fail?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'headroom_retrieve', arguments: '{"hash":"0123456789abcdef01234567"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: log },
    ];
    const result = await h.compress(messages);
    assert.equal(result.messages[2], messages[2]);
  });
});

describe('entry points', () => {
  test('ESM and CJS entries share one instance (one default store)', async () => {
    const esm = await importPackage();
    assert.equal(esm.compress, h.compress);
    assert.equal(esm.defaultStore, h.defaultStore);
    assert.equal(esm.default.compress, h.compress);
    await esm.init();
    assert.match(await esm.engineVersion(), /^\d+\.\d+\.\d+/);
  });

  test('compressText, countTokens and findHashes expose the engine', async () => {
    const r = await h.compressText(buildLog(), { tool: { toolName: 'Bash', toolArgs: '{"command":"cargo build"}' } });
    assert.equal(r.compressed, true);
    assert.equal(r.kind === 'log' || r.kind === 'test', true, r.kind);
    assert.equal(await h.retrieve(r.ccr.hash), buildLog());
    assert.equal(await h.countTokens('hello world'), 2);
    assert.deepEqual(await h.findHashes(r.text), [r.ccr.hash]);
    await assert.rejects(h.compressText(42), (e) => e.code === 'invalid_input');
    await assert.rejects(h.compressText('x', { kind: 'yaml' }), (e) => e.code === 'invalid_options' && /options\.kind/.test(e.message));
  });
});
