// Parity, package side: for every corpus file, what the npm package's
// `compress()` produces in Node (V8 runs the wasm) equals what
// `headroom-host compress --messages --json` prints (wasmtime runs the same
// wasm). tests/node/parity.mjs checks the raw glue's `compressText` file by
// file; this checks the package's own path (shape handling, splicing, the
// store) on request bodies, so the corpus travels as Claude Code would send
// it: a `Read` call per file and its `tool_result`.
//
// Starting headroom-host compiles the 40 MB module under wasmtime (seconds),
// so the corpus goes in a few request bodies (HEADROOM_PARITY_BATCHES,
// default 4), two host processes at a time, instead of one process per file.
//
// Env: HEADROOM_HOST (default $CARGO_TARGET_DIR/release/headroom-host,
// CARGO_TARGET_DIR defaulting to ./target), HEADROOM_CORPUS (default ../shared/corpus).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CORPUS, REPO, PKG_DIR, requirePackage } from './helpers.mjs';

const HOST =
  process.env.HEADROOM_HOST ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(REPO, 'target'), 'release/headroom-host');
const h = requirePackage();
/**
 * Request bodies the corpus is cut into. One host process per body; each
 * call must finish within the host's 10 s deadline even on a loaded machine,
 * so no body carries more than about a quarter of the corpus.
 */
const BATCHES = Number(process.env.HEADROOM_PARITY_BATCHES) || 4;

/** Corpus files (`category/name`), sorted. */
function corpusFiles() {
  return readdirSync(CORPUS)
    .sort()
    .filter((dir) => statSync(path.join(CORPUS, dir)).isDirectory())
    .flatMap((dir) => readdirSync(path.join(CORPUS, dir)).sort().map((f) => `${dir}/${f}`));
}

/** An Anthropic conversation reading `files`: per file a `Read` tool call and its result. */
function conversation(files) {
  const messages = [{ role: 'user', content: 'Read these files and tell me what is wrong.' }];
  files.forEach((file, i) => {
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'Read', input: { file_path: file } }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: readFileSync(path.join(CORPUS, file), 'utf8') }] });
  });
  return messages;
}

/** Split `files` into `n` runs of consecutive files with about equal bytes each. */
function split(files, n) {
  const size = (f) => statSync(path.join(CORPUS, f)).size;
  const total = files.reduce((sum, f) => sum + size(f), 0);
  const parts = [[]];
  let acc = 0;
  for (const f of files) {
    if (acc >= (total * parts.length) / n && parts.length < n) parts.push([]);
    parts.at(-1).push(f);
    acc += size(f);
  }
  return parts.filter((p) => p.length > 0);
}

function runHost(body) {
  return new Promise((resolve, reject) => {
    const child = execFile(HOST, ['compress', '--messages', '--json', '-'], { encoding: 'utf8', maxBuffer: 512 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`headroom-host failed (${err.code}): ${stderr.trim()}`));
      else resolve(JSON.parse(stdout));
    });
    child.stdin.end(body);
  });
}

/** Plain JSON, as the wire would carry it. */
const wire = (value) => JSON.parse(JSON.stringify(value));

let batches; // [{ files, messages, host }]

before(async () => {
  for (const [what, file, fix] of [
    ['headroom-host', HOST, 'cargo build --release -p headroom-host (or set HEADROOM_HOST)'],
    ['corpus', CORPUS, 'set HEADROOM_CORPUS'],
  ]) {
    if (!existsSync(file)) throw new Error(`${what} not found at ${file}: ${fix}`);
  }
  batches = split(corpusFiles(), BATCHES).map((files) => ({ files, messages: conversation(files) }));
  // Two host processes at a time (two cores).
  for (let i = 0; i < batches.length; i += 2) {
    await Promise.all(
      batches.slice(i, i + 2).map(async (batch) => {
        batch.host = await runHost(JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: batch.messages }));
      }),
    );
  }
});

test('headroom-host embeds the module the package ships (else parity compares two engines)', () => {
  const version = execFileSync(HOST, ['--version'], { encoding: 'utf8' });
  const prefix = /sha256 ([0-9a-f]+)/.exec(version)?.[1];
  assert.ok(prefix, `no module hash in: ${version.trim()}`);
  const shipped = createHash('sha256').update(readFileSync(path.join(PKG_DIR, 'engine/headroom_engine_bg.wasm'))).digest('hex');
  assert.ok(shipped.startsWith(prefix), `host embeds ${prefix}…, the package ships ${shipped.slice(0, 12)}…: rebuild one of them`);
});

test('the corpus is all there', () => {
  const files = batches.flatMap((b) => b.files);
  assert.ok(files.length >= 60, `${files.length} corpus files`);
  for (const category of ['json', 'logs', 'test_output', 'search', 'diff', 'code', 'text', 'agent_traces']) {
    assert.ok(files.some((f) => f.startsWith(`${category}/`)), `category ${category}`);
  }
});

test('every corpus file: compress() in Node equals headroom-host compress --messages --json', async (t) => {
  for (const batch of batches) {
    const mine = await h.compress(batch.messages, { fallback: false });
    const theirs = batch.host;
    const hostMessages = JSON.parse(theirs.body).messages;
    const nodeMessages = wire(mine.messages);
    assert.equal(mine.shape, theirs.shape);
    for (const [i, file] of batch.files.entries()) {
      const at = 2 + 2 * i; // the tool_result message of file i
      await t.test(file, () => {
        const node = nodeMessages[at].content[0].content;
        const host = hostMessages[at].content[0].content;
        if (node !== host) {
          const lineA = node.split('\n');
          const lineB = host.split('\n');
          const first = lineA.findIndex((l, k) => l !== lineB[k]);
          assert.fail(`differs at line ${first + 1}: node ${JSON.stringify(lineA[first])} vs host ${JSON.stringify(lineB[first])}`);
        }
        assert.deepEqual(nodeMessages[at], hostMessages[at]);
      });
    }
    await t.test(`totals of ${batch.files.length} files (${batch.files[0]} … ${batch.files.at(-1)})`, async () => {
      assert.equal(mine.tokensBefore, theirs.tokensBefore);
      assert.equal(mine.tokensAfter, theirs.tokensAfter);
      assert.deepEqual(mine.transformsApplied, [...new Set(theirs.transforms)]);
      assert.deepEqual(mine.ccrHashes, [...new Set(theirs.ccr.map((e) => e.hash))]);
      assert.ok(isDeepStrictEqual(nodeMessages, hostMessages), 'whole conversations equal');
      // The package stored every original the host would store, byte for byte.
      for (const entry of theirs.ccr) assert.equal(await h.retrieve(entry.hash), entry.original, entry.hash);
    });
  }
});
