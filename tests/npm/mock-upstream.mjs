// A loopback stand-in for the Anthropic and OpenAI APIs: records every
// request body exactly as received and answers in the real wire formats,
// streaming (SSE) when the body asks for it.
import http from 'node:http';

const sse = (events) => events.map(([event, data]) => (event ? `event: ${event}\n` : '') + `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`).join('');

function anthropic(body) {
  const message = {
    id: 'msg_1', type: 'message', role: 'assistant', model: body.model, content: [{ type: 'text', text: 'ok' }],
    stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 },
  };
  if (!body.stream) return { json: message };
  return {
    sse: sse([
      ['message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 0 } } }],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'ok' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } }],
      ['message_stop', { type: 'message_stop' }],
    ]),
  };
}

function chat(body) {
  const base = { id: 'chatcmpl-1', created: 0, model: body.model };
  if (!body.stream) {
    return {
      json: {
        ...base, object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok', refusal: null }, finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 },
      },
    };
  }
  const chunk = (delta, finish_reason = null) => ({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason, logprobs: null }] });
  return { sse: sse([[null, chunk({ role: 'assistant', content: '' })], [null, chunk({ content: 'ok' })], [null, chunk({}, 'stop')], [null, '[DONE]']]) };
}

function responses(body) {
  const text = { type: 'output_text', text: 'ok', annotations: [] };
  const item = { type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [text] };
  const response = {
    id: 'resp_1', object: 'response', created_at: 0, status: 'completed', model: body.model, output: [item],
    usage: { input_tokens: 10, output_tokens: 1, total_tokens: 11 }, error: null, incomplete_details: null,
    instructions: null, metadata: {}, parallel_tool_calls: true, temperature: 1, tool_choice: 'auto', tools: [], top_p: 1,
  };
  if (!body.stream) return { json: response };
  let n = 0;
  const ev = (type, data) => [type, { type, sequence_number: n++, ...data }];
  return {
    sse: sse([
      ev('response.created', { response: { ...response, status: 'in_progress', output: [] } }),
      ev('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } }),
      ev('response.content_part.added', { item_id: 'msg_1', output_index: 0, content_index: 0, part: { ...text, text: '' } }),
      ev('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'ok', logprobs: [] }),
      ev('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text: 'ok', logprobs: [] }),
      ev('response.content_part.done', { item_id: 'msg_1', output_index: 0, content_index: 0, part: text }),
      ev('response.output_item.done', { output_index: 0, item }),
      ev('response.completed', { response }),
    ]),
  };
}

export async function startUpstream() {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = raw ? JSON.parse(raw) : {};
    requests.push({ method: req.method, url: req.url, headers: req.headers, raw, body });
    const path = req.url.split('?')[0];
    const route = path.endsWith('/v1/messages') ? anthropic : path.endsWith('/chat/completions') ? chat : path.endsWith('/responses') ? responses : null;
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const answer = route(body);
    if (answer.sse) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(answer.sse);
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_1' });
      res.end(JSON.stringify(answer.json));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    last: () => requests[requests.length - 1],
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
