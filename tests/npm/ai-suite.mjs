// headroomMiddleware() with the real `ai` package: generateText and
// streamText through wrapLanguageModel, with the SDK's own mock model from
// `ai/test`. Shared by ai7.test.mjs (spec v4, Node 22) and ai6.test.mjs
// (spec v3, Node 20); `ai` is installed twice under the aliases ai7 / ai6.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { requirePackage, importDev, jsonRecords, blank, at } from './helpers.mjs';

const h = requirePackage();

const finishReason = { unified: 'stop', raw: 'stop' };
const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};

/** ModelMessages as an app passes them to generateText/streamText. */
function conversation(output = jsonRecords()) {
  const cache = { anthropic: { cacheControl: { type: 'ephemeral' } } };
  return [
    { role: 'user', content: [{ type: 'text', text: 'Which services are failing?' }, { type: 'file', data: new Uint8Array([137, 80, 78, 71]), mediaType: 'image/png' }] },
    {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'Let me list them.', providerOptions: { anthropic: { signature: 'sig-1' } } },
        { type: 'tool-call', toolCallId: 'call_1', toolName: 'list_services', input: { region: 'all' } },
      ],
    },
    {
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId: 'call_1', toolName: 'list_services', output: { type: 'text', value: output }, providerOptions: cache }],
      providerOptions: cache,
    },
  ];
}

/** Where the tool output sits in the prompt the model receives (after the system message). */
const OUTPUT_PATH = [3, 'content', 0, 'output', 'value'];

export function aiSuite({ pkg, spec, mockName }) {
  describe(`${pkg} (middleware spec ${spec})`, async () => {
    const ai = await importDev(pkg);
    const aiTest = await importDev(`${pkg}/test`);
    const Mock = aiTest[mockName];
    assert.ok(Mock, `${pkg}/test exports ${mockName}`);
    const middleware = () => (spec === 'v4' ? h.headroomMiddleware() : h.headroomMiddleware({ specificationVersion: 'v3' }));

    const generating = () =>
      new Mock({ doGenerate: async () => ({ content: [{ type: 'text', text: 'ok' }], finishReason, usage, warnings: [] }) });
    const streaming = () =>
      new Mock({
        doStream: async () => ({
          stream: aiTest.convertArrayToReadableStream([
            { type: 'stream-start', warnings: [] },
            { type: 'text-start', id: 't1' },
            { type: 'text-delta', id: 't1', delta: 'ok' },
            { type: 'text-end', id: 't1' },
            { type: 'finish', finishReason, usage },
          ]),
        }),
      });

    test('the middleware declares the spec of this major', () => {
      assert.equal(middleware().specificationVersion, spec);
    });

    /** The prompt the plain model received, and the one the wrapped model received. */
    async function prompts(run, makeModel, calls) {
      const plain = makeModel();
      await run(plain);
      const inner = makeModel();
      await run(ai.wrapLanguageModel({ model: inner, middleware: middleware() }));
      return [plain[calls][0].prompt, inner[calls][0].prompt];
    }

    function assertOnlyOutputCompressed(plain, compressed) {
      assert.deepEqual(blank(compressed, [OUTPUT_PATH]), blank(plain, [OUTPUT_PATH]), 'every other part and providerOptions intact');
      const before = at(plain, OUTPUT_PATH);
      const after = at(compressed, OUTPUT_PATH);
      assert.equal(before, jsonRecords());
      assert.ok(after.length < before.length * 0.5, `compressed to ${after.length} of ${before.length} chars`);
      assert.match(after, /connection refused by upstream db-2/);
      assert.deepEqual(compressed[3].content[0].providerOptions, { anthropic: { cacheControl: { type: 'ephemeral' } } });
      // ai@7 wraps file data as {type: 'data', data}; ai@6 passes the bytes.
      const bytes = (part) => (part.data instanceof Uint8Array ? part.data : part.data.data);
      assert.ok(bytes(compressed[1].content[1]) instanceof Uint8Array, 'binary file data survives as bytes');
      assert.deepEqual([...bytes(compressed[1].content[1])], [137, 80, 78, 71]);
    }

    test('generateText: the model receives compressed tool output, everything else intact', async () => {
      const run = (model) => ai.generateText({ model, system: 'You are an SRE assistant.', messages: conversation() });
      const [plain, compressed] = await prompts(run, generating, 'doGenerateCalls');
      assertOnlyOutputCompressed(plain, compressed);
      const [hash] = await h.findHashes(at(compressed, OUTPUT_PATH));
      assert.equal(await h.retrieve(hash), jsonRecords());
    });

    test('streamText: same through the stream path', async () => {
      const run = async (model) => {
        const result = ai.streamText({ model, system: 'You are an SRE assistant.', messages: conversation() });
        let text = '';
        for await (const delta of result.textStream) text += delta;
        assert.equal(text, 'ok');
      };
      const [plain, compressed] = await prompts(run, streaming, 'doStreamCalls');
      assertOnlyOutputCompressed(plain, compressed);
    });

    test('a tool loop with headroomRetrieveTool: the model gets the exact original back, uncompressed', async () => {
      const first = await h.compress(conversation(), { shape: 'vercel' });
      const [hash] = first.ccrHashes;
      assert.ok(hash);
      let step = 0;
      const model = new Mock({
        doGenerate: async () => {
          step++;
          if (step === 1) {
            return {
              content: [{ type: 'tool-call', toolCallId: 'r1', toolName: 'headroom_retrieve', input: JSON.stringify({ hash }) }],
              finishReason: { unified: 'tool-calls', raw: 'tool_use' },
              usage,
              warnings: [],
            };
          }
          return { content: [{ type: 'text', text: 'done' }], finishReason, usage, warnings: [] };
        },
      });
      const stop = ai.stepCountIs ?? ai.isStepCount;
      const result = await ai.generateText({
        model: ai.wrapLanguageModel({ model, middleware: middleware() }),
        system: 'You are an SRE assistant.',
        messages: conversation(),
        tools: { headroom_retrieve: h.headroomRetrieveTool },
        stopWhen: stop(3),
      });
      assert.equal(result.text, 'done');
      const secondPrompt = model.doGenerateCalls[1].prompt;
      const toolMessage = secondPrompt[secondPrompt.length - 1];
      assert.equal(toolMessage.role, 'tool');
      const part = toolMessage.content[0];
      assert.equal(part.toolName, 'headroom_retrieve');
      assert.equal(part.output.value, jsonRecords(), 'the original, not re-compressed');
      assert.ok(at(secondPrompt, OUTPUT_PATH).length < jsonRecords().length * 0.5, 'the earlier output stays compressed');
      assert.equal(at(secondPrompt, OUTPUT_PATH), at(model.doGenerateCalls[0].prompt, OUTPUT_PATH), 'cache-stable across steps');
    });

    test('a prompt without tool results reaches the model as the same object', async () => {
      let received;
      const model = new Mock({ doGenerate: async (options) => ((received = options), { content: [{ type: 'text', text: 'ok' }], finishReason, usage, warnings: [] }) });
      const mw = middleware();
      const params = { prompt: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] };
      const out = await mw.transformParams({ type: 'generate', params, model });
      assert.equal(out, params);
      await ai.generateText({ model: ai.wrapLanguageModel({ model, middleware: mw }), prompt: 'hi' });
      assert.equal(received.prompt[0].content[0].text, 'hi');
    });
  });
}
