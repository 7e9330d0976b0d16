// Recording stand-in for the Anthropic and OpenAI APIs on loopback, for the
// proxy's end-to-end tests. It keeps every request's exact bytes and answers
// in the real wire formats (SSE when the body asks for a stream).
//
// Scripted behaviour, chosen per request by headers the tests send:
//   x-mock-status: 503       answer with that status and an error body
//   x-mock-reset: 1          close the connection without answering
//   x-mock-retrieve: 1       when the request declares headroom_retrieve and
//                            carries a marker, call headroom_retrieve(hash)
//                            first; once the tool result is there, answer
//                            with its length.
import http from 'node:http';

const HASH_IN_MARKER = /headroom_retrieve\(\\*"([0-9a-f]{24})\\*"\)|\\*"retrieve\\*":\s*\\*"([0-9a-f]{24})\\*"/;

function sseText(events) {
  return events
    .map(([event, data]) => (event ? `event: ${event}\n` : '') + `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`)
    .join('');
}

const declares = (tools, name) => Array.isArray(tools) && tools.some((t) => t?.name === name || t?.function?.name === name);

function markerHash(raw) {
  const m = HASH_IN_MARKER.exec(raw);
  return m ? m[1] || m[2] : null;
}

// --- Anthropic Messages ---------------------------------------------------
function anthropicAnswer(body, raw, script) {
  const last = body.messages?.[body.messages.length - 1];
  const toolResult = Array.isArray(last?.content) ? last.content.find((b) => b.type === 'tool_result' && b.tool_use_id === 'toolu_hr_1') : null;
  let content;
  let stop = 'end_turn';
  const hash = markerHash(raw);
  if (script.retrieve && toolResult) {
    const text = typeof toolResult.content === 'string' ? toolResult.content : toolResult.content.map((b) => b.text).join('');
    content = [{ type: 'text', text: `retrieved ${text.length} chars` }];
  } else if (script.retrieve && hash && declares(body.tools, 'headroom_retrieve')) {
    content = [
      { type: 'text', text: 'Let me look at the full output.' },
      { type: 'tool_use', id: 'toolu_hr_1', name: 'headroom_retrieve', input: { hash } },
    ];
    stop = 'tool_use';
  } else {
    content = [{ type: 'text', text: 'ok' }];
  }
  const message = {
    id: `msg_${Math.random().toString(36).slice(2, 10)}`, type: 'message', role: 'assistant', model: body.model, content,
    stop_reason: stop, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 5 },
  };
  if (!body.stream) return { json: message };
  const events = [['message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } } }]];
  content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
      events.push(['ping', { type: 'ping' }]);
      for (const piece of block.text.match(/.{1,8}/gs)) {
        events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }]);
      }
    } else {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { ...block, input: {} } }]);
      const json = JSON.stringify(block.input);
      for (const piece of [json.slice(0, 5), json.slice(5)]) {
        events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } }]);
      }
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
  });
  events.push(['message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 5 } }]);
  events.push(['message_stop', { type: 'message_stop' }]);
  return { sse: sseText(events) };
}

// --- OpenAI Chat Completions ----------------------------------------------
function chatAnswer(body, raw, script) {
  const last = body.messages?.[body.messages.length - 1];
  const hash = markerHash(raw);
  let message = { role: 'assistant', content: 'ok', refusal: null };
  let finish = 'stop';
  if (script.retrieve && last?.role === 'tool' && last.tool_call_id === 'call_hr_1') {
    message = { role: 'assistant', content: `retrieved ${last.content.length} chars`, refusal: null };
  } else if (script.retrieve && hash && declares(body.tools, 'headroom_retrieve')) {
    message = {
      role: 'assistant', content: 'Let me look at the full output.', refusal: null,
      tool_calls: [{ id: 'call_hr_1', type: 'function', function: { name: 'headroom_retrieve', arguments: JSON.stringify({ hash }) } }],
    };
    finish = 'tool_calls';
  }
  const base = { id: 'chatcmpl-1', created: 0, model: body.model };
  if (!body.stream) {
    return {
      json: {
        ...base, object: 'chat.completion',
        choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      },
    };
  }
  const chunk = (delta, finish_reason = null) => ({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason, logprobs: null }] });
  const events = [[null, chunk({ role: 'assistant', content: '' })]];
  if (message.tool_calls) {
    const call = message.tool_calls[0];
    if (message.content) events.push([null, chunk({ content: message.content })]);
    events.push([null, chunk({ tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] })]);
    events.push([null, chunk({ tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] })]);
  } else {
    for (const piece of message.content.match(/.{1,8}/gs)) events.push([null, chunk({ content: piece })]);
  }
  events.push([null, chunk({}, finish)]);
  events.push([null, '[DONE]']);
  return { sse: sseText(events) };
}

// --- OpenAI Responses -------------------------------------------------------
function responsesAnswer(body, raw, script) {
  const input = Array.isArray(body.input) ? body.input : [];
  const last = input[input.length - 1];
  const hash = markerHash(raw);
  let output;
  if (script.retrieve && last?.type === 'function_call_output' && last.call_id === 'call_hr_1') {
    output = [{ type: 'message', id: 'msg_2', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: `retrieved ${last.output.length} chars`, annotations: [] }] }];
  } else if (script.retrieve && hash && declares(body.tools, 'headroom_retrieve')) {
    output = [
      { type: 'message', id: 'msg_0', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Let me look at the full output.', annotations: [] }] },
      { type: 'function_call', id: 'fc_1', call_id: 'call_hr_1', name: 'headroom_retrieve', arguments: JSON.stringify({ hash }), status: 'completed' },
    ];
  } else {
    output = [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'ok', annotations: [] }] }];
  }
  const answered = output[0]?.id === 'msg_2';
  const response = {
    id: answered ? 'resp_2' : 'resp_1', object: 'response', created_at: 0, status: 'completed', model: body.model, output,
    usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 }, error: null, incomplete_details: null,
    instructions: null, metadata: {}, parallel_tool_calls: true, temperature: 1, tool_choice: 'auto', tools: [], top_p: 1,
  };
  if (!body.stream) return { json: response };
  let n = 0;
  const ev = (type, data) => [type, { type, sequence_number: n++, ...data }];
  const started = { ...response, status: 'in_progress', output: [] };
  const events = [ev('response.created', { response: started }), ev('response.in_progress', { response: started })];
  output.forEach((item, output_index) => {
    const item_id = item.id;
    if (item.type === 'message') {
      events.push(ev('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } }));
      const text = item.content[0].text;
      events.push(ev('response.content_part.added', { item_id, output_index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }));
      for (const delta of text.match(/.{1,8}/gs)) {
        events.push(ev('response.output_text.delta', { item_id, output_index, content_index: 0, delta, logprobs: [] }));
      }
      events.push(ev('response.output_text.done', { item_id, output_index, content_index: 0, text, logprobs: [] }));
      events.push(ev('response.content_part.done', { item_id, output_index, content_index: 0, part: item.content[0] }));
    } else {
      events.push(ev('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } }));
      events.push(ev('response.function_call_arguments.delta', { item_id, output_index, delta: item.arguments }));
      events.push(ev('response.function_call_arguments.done', { item_id, output_index, arguments: item.arguments }));
    }
    events.push(ev('response.output_item.done', { output_index, item }));
  });
  events.push(ev('response.completed', { response }));
  return { sse: sseText(events) };
}

export async function startUpstream() {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString('utf8');
    requests.push({ method: req.method, url: req.url, headers: req.headers, raw });
    if (req.headers['x-mock-reset']) {
      req.socket.destroy();
      return;
    }
    const status = Number(req.headers['x-mock-status'] || 0);
    if (status) {
      res.writeHead(status, { 'content-type': 'application/json', 'x-mock-echo': 'kept' });
      res.end(JSON.stringify({ type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message: `mock ${status}` } }));
      return;
    }
    let body;
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'mock: body is not JSON' } }));
      return;
    }
    const path = req.url.split('?')[0];
    const script = { retrieve: Boolean(req.headers['x-mock-retrieve']) };
    const route = path.endsWith('/v1/messages') ? anthropicAnswer
      : path.endsWith('/chat/completions') ? chatAnswer
      : path.endsWith('/responses') ? responsesAnswer : null;
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-mock-path': path });
      res.end(JSON.stringify({ error: 'not found', method: req.method, path }));
      return;
    }
    const answer = route(body, raw, script);
    if (answer.sse) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(answer.sse);
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_1' });
      res.end(JSON.stringify(answer.json));
    }
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    last: () => requests[requests.length - 1],
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(resolve); }),
  };
}
