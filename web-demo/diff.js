/**
 * Line alignment of a tool output and its compressed form, for the diff view.
 *
 * A general diff (Myers, O(N·D)) is far too slow here: compressing a 5 MB log
 * deletes almost every line, so D is close to N. It is not needed either:
 * the engine keeps lines in their original order, so the compressed text is
 * the original's lines as a subsequence, plus lines the engine wrote
 * (markers, gap lines, a ` [×N]` count on a line standing for a run). Each
 * output line is therefore matched to the next equal original line; one that
 * has no match is an added line. O(N log N) and exact on what the engine does.
 */

const REPEAT_SUFFIX = / \[×\d+\]$/;

/**
 * Align `before` and `after` (arrays of lines). Returns runs in order:
 * `{op: 'same', a, b, n}` (before[a..a+n) equals after[b..b+n)),
 * `{op: 'del', a, n}`, `{op: 'add', b, n}`, and
 * `{op: 'repeat', a, b, n: 1}` (after[b] is before[a] with a ` [×N]` count).
 * Every line of both sides is in exactly one run.
 */
export function alignLines(before, after) {
  const positions = new Map();
  before.forEach((line, i) => {
    const list = positions.get(line);
    if (list) list.push(i);
    else positions.set(line, [i]);
  });
  const runs = [];
  const push = (op, a, b) => {
    const last = runs[runs.length - 1];
    if (last && last.op === op && op !== 'repeat' && (op === 'add' || last.a + last.n === a) && (op === 'del' || last.b + last.n === b)) {
      last.n += 1;
    } else {
      runs.push(op === 'del' ? { op, a, n: 1 } : op === 'add' ? { op, b, n: 1 } : { op, a, b, n: 1 });
    }
  };
  let cursor = 0;
  for (let b = 0; b < after.length; b++) {
    let op = 'same';
    let a = nextAt(positions.get(after[b]), cursor);
    if (a < 0 && REPEAT_SUFFIX.test(after[b])) {
      op = 'repeat';
      a = nextAt(positions.get(after[b].replace(REPEAT_SUFFIX, '')), cursor);
    }
    if (a < 0) {
      push('add', -1, b);
      continue;
    }
    for (; cursor < a; cursor++) push('del', cursor, -1);
    push(op, a, b);
    cursor = a + 1;
  }
  for (; cursor < before.length; cursor++) push('del', cursor, -1);
  return runs;
}

/** Smallest index in the sorted `list` that is >= `from`, or -1. */
function nextAt(list, from) {
  if (!list) return -1;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length ? list[lo] : -1;
}

/** Lines kept, removed and added, from the runs of `alignLines`. */
export function countRuns(runs) {
  const counts = { same: 0, del: 0, add: 0, repeat: 0 };
  for (const run of runs) counts[run.op] += run.n;
  return counts;
}

/** Split text into lines the way the engine counts them (a final newline ends the last line). */
export function splitLines(text) {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
