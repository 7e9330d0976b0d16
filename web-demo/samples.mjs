/**
 * The playground's sample inputs: real tool outputs from the corpus, and
 * whole request bodies (Anthropic, OpenAI Chat) of a coding-agent session
 * written around real outputs, so the per-block chart has something to show.
 * Used by build.mjs at build time only; the page reads samples/index.json.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** One sample per kind of tool output the engine routes. */
const TOOL_OUTPUTS = [
  { id: 'json', label: 'JSON API response (GitHub issues, paginated)', corpus: 'json/octokit_paginate-issues.json' },
  { id: 'log', label: 'Log (HDFS, 2,000 lines)', corpus: 'logs/loghub_HDFS_2k.log' },
  { id: 'test', label: 'Test output (pytest, failures)', corpus: 'test_output/pytest9_flask_errors.txt' },
  { id: 'search', label: 'Search results (rg unwrap() in ripgrep)', corpus: 'search/rg_ripgrep_unwrap.txt' },
  { id: 'diff', label: 'Diff (git log -p, requests)', corpus: 'diff/gitlog_p_requests.diff' },
  { id: 'code', label: 'Source file (requests/models.py, read by an agent)', corpus: 'code/requests_models.py', path: 'src/requests/models.py' },
];

/**
 * A debugging session as an agent would run it: the user's question, then
 * tool calls and their outputs. One small output stays under the size
 * threshold, to show a block that is left alone.
 */
function session(corpus) {
  const read = (p) => readFileSync(path.join(corpus, p), 'utf8');
  const numbered = read('code/flask_app.py')
    .split('\n')
    .map((line, i) => `${i + 1}\t${line}`)
    .join('\n');
  return {
    system: 'You are a coding agent working in the flask repository.',
    question: 'The test suite started failing after the upgrade. Find out why and where current_app is used.',
    calls: [
      { id: 'toolu_01', name: 'Bash', input: { command: 'git status --short' }, output: ' M src/flask/app.py\n M tests/test_basic.py\n' },
      { id: 'toolu_02', name: 'Bash', input: { command: 'python -m pytest tests' }, output: read('test_output/pytest9_flask_errors.txt') },
      { id: 'toolu_03', name: 'Grep', input: { pattern: 'current_app', path: 'src' }, output: read('search/grep_flask_current_app.txt') },
      { id: 'toolu_04', name: 'Read', input: { file_path: 'src/flask/app.py' }, output: numbered },
      { id: 'toolu_05', name: 'Bash', input: { command: 'git log -p -5 -- src' }, output: read('diff/gitlog_p_flask.diff') },
      { id: 'toolu_06', name: 'Bash', input: { command: 'gh api /search/issues?q=repo:pallets/flask' }, output: read('json/octokit_search-issues.json') },
    ],
  };
}

function anthropicBody({ system, question, calls }) {
  const messages = [{ role: 'user', content: [{ type: 'text', text: question }] }];
  for (const call of calls) {
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: call.id, name: call.name, input: call.input }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: call.output }] });
  }
  return { model: 'claude-sonnet-4-5', max_tokens: 4096, system, messages };
}

function openaiChatBody({ system, question, calls }) {
  const messages = [
    { role: 'system', content: system },
    { role: 'user', content: question },
  ];
  for (const call of calls) {
    const id = call.id.replace('toolu_', 'call_');
    messages.push({
      role: 'assistant',
      content: null,
      tool_calls: [{ id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.input) } }],
    });
    messages.push({ role: 'tool', tool_call_id: id, content: call.output });
  }
  return { model: 'gpt-5', messages };
}

/** `[{id, label, shape, file, source, path?, text}]`, tool outputs first (`path`: the file an agent read it from). */
export function buildSamples(corpus) {
  const samples = TOOL_OUTPUTS.map(({ id, label, corpus: rel, path: readFrom }) => ({
    id,
    label,
    ...(readFrom ? { path: readFrom } : {}),
    shape: 'tool',
    file: `${id}${path.extname(rel) || '.txt'}`,
    source: rel,
    text: readFileSync(path.join(corpus, rel), 'utf8'),
  }));
  const s = session(corpus);
  samples.push(
    { id: 'anthropic', label: 'Anthropic request body (agent session, 6 tool results)', shape: 'anthropic', file: 'anthropic.json', source: 'written around corpus files', text: JSON.stringify(anthropicBody(s), null, 2) },
    { id: 'openai-chat', label: 'OpenAI Chat request body (same session)', shape: 'openai-chat', file: 'openai-chat.json', source: 'written around corpus files', text: JSON.stringify(openaiChatBody(s), null, 2) },
  );
  return samples;
}
