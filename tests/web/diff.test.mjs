// The playground's pure modules, in Node: the line alignment behind the diff
// view and the marker finder behind the clickable markers, checked on real
// engine output for every sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignLines, countRuns, splitLines } from '../../web-demo/diff.js';
import { findMarkers } from '../../web-demo/markers.js';
import { headroom, samples, toolOf } from './helpers.mjs';

/** Rebuild both sides from the runs: each line of each side must be in exactly one run, in order. */
function sides(runs, before, after) {
  const a = [];
  const b = [];
  for (const run of runs) {
    for (let k = 0; k < run.n; k++) {
      if (run.op !== 'add') a.push(before[run.a + k]);
      if (run.op !== 'del') b.push(after[run.b + k]);
      if (run.op === 'same') assert.equal(before[run.a + k], after[run.b + k]);
      if (run.op === 'repeat') assert.match(after[run.b + k], / \[×\d+\]$/);
    }
  }
  return [a, b];
}

test('alignment of hand-made cases', () => {
  const before = ['a', 'x', 'x', 'b', 'c', 'd', 'e'];
  const after = ['a', '[headroom: 2 lines omitted]', 'b', 'c [×2]', 'e'];
  const runs = alignLines(before, after);
  assert.deepEqual(runs, [
    { op: 'same', a: 0, b: 0, n: 1 },
    { op: 'add', b: 1, n: 1 },
    { op: 'del', a: 1, n: 2 },
    { op: 'same', a: 3, b: 2, n: 1 },
    { op: 'repeat', a: 4, b: 3, n: 1 },
    { op: 'del', a: 5, n: 1 },
    { op: 'same', a: 6, b: 4, n: 1 },
  ]);
  assert.deepEqual(countRuns(runs), { same: 3, del: 3, add: 1, repeat: 1 });
  assert.deepEqual(alignLines([], ['x']), [{ op: 'add', b: 0, n: 1 }]);
  assert.deepEqual(alignLines(['x'], []), [{ op: 'del', a: 0, n: 1 }]);
  assert.deepEqual(splitLines('a\nb\n'), ['a', 'b']);
  assert.deepEqual(splitLines('a\n\n'), ['a', '']);
});

test('every sample: the alignment accounts for every line, and kept lines really are original lines', async () => {
  for (const [id, sample] of Object.entries(samples())) {
    if (sample.shape !== 'tool') continue;
    const r = await headroom.compressText(sample.text, { tool: toolOf(sample) });
    assert.equal(r.compressed, true, `${id} compresses`);
    const before = splitLines(sample.text);
    const after = splitLines(r.text);
    const runs = alignLines(before, after);
    assert.deepEqual(sides(runs, before, after), [before, after], id);
    const counts = countRuns(runs);
    assert.ok(counts.del > 0, `${id}: something was removed`);
  }
});

test('every sample: the markers found are the engine\'s, and every hash the engine wrote is clickable', async () => {
  for (const [id, sample] of Object.entries(samples())) {
    let text;
    let stored;
    if (sample.shape === 'tool') {
      const r = await headroom.compressText(sample.text, { tool: toolOf(sample) });
      text = r.text;
      stored = [r.ccr.hash];
      assert.deepEqual(await headroom.findHashes(text), stored, `${id}: the engine's own parser agrees`);
    } else {
      const field = sample.shape === 'vercel' ? 'prompt' : 'messages';
      const r = await headroom.compress(JSON.parse(sample.text)[field], { shape: sample.shape });
      text = JSON.stringify({ [field]: r.messages }, null, 2); // markers inside JSON strings, quotes escaped
      stored = r.ccrHashes;
    }
    const markers = findMarkers(text);
    assert.ok(markers.length > 0, `${id}: markers found`);
    assert.deepEqual([...new Set(markers.map((m) => m.hash))].sort(), [...stored].sort(), id);
    const count = (needle) => (typeof needle === 'string' ? text.split(needle).length - 1 : (text.match(needle) ?? []).length);
    const forms = (...names) => markers.filter((m) => names.includes(m.form)).length;
    assert.equal(forms('block', 'gap'), count('[headroom:'), `${id}: every [headroom: …] line is found`);
    assert.equal(forms('json'), count(/_headroom\\?"/g), `${id}: every JSON marker is found`);
    assert.equal(forms('elision'), count(/… \d+ lines? omitted · headroom_retrieve/g), `${id}: every elision is found`);
    for (const m of markers) {
      const span = text.slice(m.start, m.end);
      assert.ok(span.includes('headroom'), `${id}: ${span}`);
      assert.ok(m.form === 'gap' || span.includes(m.hash), `${id}: ${span} carries its hash`);
    }
  }
});
