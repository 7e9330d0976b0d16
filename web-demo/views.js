/**
 * The views of a result: the output text with clickable markers, and the
 * inline diff (of one tool output, or of each tool output of a body).
 */
import { splitLines } from './diff.js';
import { findMarkers } from './markers.js';

/** Rows of a diff rendered at most, so a huge input never floods the page. */
const MAX_DIFF_ROWS = 20000;
/** Removed runs longer than this are folded: first and last lines shown, the rest on click. */
const FOLD = 8;

const fmt = (n) => n.toLocaleString('en-US');
/** Percent of tokens saved, as the page shows it (the tests compute it the same way). */
export const savedPercent = (before, after) => (before > 0 ? ((before - after) / before) * 100 : 0).toFixed(1) + '%';

/**
 * For a tool output: which original lines each gap (or elision) line stands for (the
 * removed run next to it in the alignment), keyed by output line index.
 */
export function gapSpans(r) {
  const spans = new Map();
  if (!r.compressed) return spans;
  // Output line -> original line, for lines kept as they were.
  const same = new Map();
  for (const run of r.runs) if (run.op === 'same') for (let k = 0; k < run.n; k++) same.set(run.b + k, run.a + k);
  const outLines = splitLines(r.text);
  r.runs.forEach((run, i) => {
    if (run.op !== 'add') return;
    const del = r.runs[i - 1]?.op === 'del' ? r.runs[i - 1] : r.runs[i + 1]?.op === 'del' ? r.runs[i + 1] : null;
    for (let k = 0; k < run.n; k++) {
      const b = run.b + k;
      // A marker that states its count ("… 16 lines omitted") right after a
      // kept line stands for the lines that follow that line. This beats the
      // alignment, which can pair an elided body with a wrong run when the
      // body shares lines (blank lines, `return`) with what comes later.
      const count = Number(outLines[b]?.match(/(\d+) lines? omitted/)?.[1]);
      const prev = same.get(b - 1);
      if (count > 0 && prev !== undefined) spans.set(b, { a: prev + 1, n: count });
      else if (del) spans.set(b, { a: del.a, n: del.n });
    }
  });
  return spans;
}

/**
 * The output text in `pre`, each marker a button that expands the original
 * below it; `retrieve(hash)` resolves to the original from the CCR store.
 * `onlyHash`: the one hash of a single tool output, for markers that name
 * none when no other marker in the text does (a shortened JSON string).
 */
export function renderOutput(pre, text, gaps, retrieve, onlyHash = null) {
  pre.replaceChildren();
  let at = 0;
  let line = 0;
  let scanned = 0;
  const lineOf = (index) => {
    for (let i = text.indexOf('\n', scanned); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
    scanned = index;
    return line;
  };
  for (const marker of findMarkers(text)) {
    marker.hash ??= onlyHash;
    const lineIndex = lineOf(marker.start);
    pre.append(text.slice(at, marker.start));
    const button = document.createElement('span');
    button.className = `marker ${marker.form}`;
    button.tabIndex = 0;
    button.setAttribute('role', 'button');
    button.dataset.hash = marker.hash ?? '';
    button.textContent = text.slice(marker.start, marker.end);
    const gap = marker.form === 'gap' || marker.form === 'elision' ? gaps?.get(lineIndex) : undefined;
    button.addEventListener('click', () => toggleOriginal(button, marker.hash, gap, retrieve));
    button.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), toggleOriginal(button, marker.hash, gap, retrieve)));
    pre.append(button);
    at = marker.end;
  }
  pre.append(text.slice(at));
}

async function toggleOriginal(button, hash, gap, retrieve) {
  const open = button.nextElementSibling;
  if (open?.classList.contains('original')) {
    open.remove();
    button.setAttribute('aria-expanded', 'false');
    return;
  }
  const box = document.createElement('span');
  box.className = 'original';
  button.after(box);
  button.setAttribute('aria-expanded', 'true');
  if (!hash) {
    box.textContent = 'This marker names no hash.';
    return;
  }
  try {
    const original = await retrieve(hash);
    const head = document.createElement('span');
    head.className = 'original-head';
    const body = document.createElement('span');
    body.className = 'original-text';
    if (gap) {
      const lines = splitLines(original).slice(gap.a, gap.a + gap.n);
      head.textContent = `lines ${fmt(gap.a + 1)}–${fmt(gap.a + gap.n)} of the original (headroom_retrieve("${hash}"))`;
      body.textContent = lines.join('\n');
    } else {
      head.textContent = `original behind headroom_retrieve("${hash}") · ${fmt(splitLines(original).length)} lines, exactly as given`;
      body.textContent = original;
      box.dataset.original = 'full';
    }
    box.append(head, body);
  } catch (err) {
    box.textContent = `Could not retrieve ${hash}: ${err.message}`;
  }
}

/** An inline diff: kept lines plain, removed red (long runs folded), added green, counted lines yellow. */
export function renderDiff(container, before, after, runs) {
  let rows = 0;
  const add = (cls, a, b, text) => {
    const row = document.createElement('div');
    row.className = `line ${cls}`;
    const la = document.createElement('span');
    la.className = 'ln';
    la.textContent = a === null ? '' : a + 1;
    const lb = document.createElement('span');
    lb.className = 'ln';
    lb.textContent = b === null ? '' : b + 1;
    const code = document.createElement('span');
    code.className = 'code';
    code.textContent = text;
    row.append(la, lb, code);
    container.append(row);
    rows++;
    return row;
  };
  for (const run of runs) {
    if (rows >= MAX_DIFF_ROWS) {
      container.append(Object.assign(document.createElement('div'), { className: 'line fold', textContent: `… diff cut at ${fmt(MAX_DIFF_ROWS)} rows` }));
      return;
    }
    if (run.op === 'same' || run.op === 'repeat') {
      for (let k = 0; k < run.n; k++) add(run.op, run.a + k, run.b + k, after[run.b + k]);
    } else if (run.op === 'add') {
      for (let k = 0; k < run.n; k++) add('add', null, run.b + k, after[run.b + k]);
    } else if (run.n <= FOLD) {
      for (let k = 0; k < run.n; k++) add('del', run.a + k, null, before[run.a + k]);
    } else {
      for (let k = 0; k < 3; k++) add('del', run.a + k, null, before[run.a + k]);
      const hidden = run.n - 5;
      const fold = add('fold', null, null, `⋯ ${fmt(hidden)} more removed lines (click to show)`);
      fold.addEventListener('click', () => {
        const rest = document.createDocumentFragment();
        const shown = Math.min(hidden, MAX_DIFF_ROWS);
        for (let k = 0; k < shown; k++) {
          const row = document.createElement('div');
          row.className = 'line del';
          row.innerHTML = '<span class="ln"></span><span class="ln"></span><span class="code"></span>';
          row.children[0].textContent = run.a + 3 + k + 1;
          row.children[2].textContent = before[run.a + 3 + k];
          rest.append(row);
        }
        fold.replaceWith(rest);
      }, { once: true });
      for (let k = run.n - 2; k < run.n; k++) add('del', run.a + k, null, before[run.a + k]);
    }
  }
}

export function renderBlockDiffs(container, blocks) {
  const changed = blocks.filter((b) => b.compressed).length;
  if (changed === 0) {
    container.textContent = 'No tool output changed.';
    return;
  }
  blocks.forEach((b, i) => {
    if (!b.compressed) return;
    const section = document.createElement('section');
    section.id = `block-${i}`;
    section.className = 'block';
    const h = document.createElement('h3');
    h.textContent = `${b.path} · ${b.kind} · ${fmt(b.tokensBefore)} → ${fmt(b.tokensAfter)} tokens (−${savedPercent(b.tokensBefore, b.tokensAfter)})`;
    section.append(h);
    renderDiff(section, splitLines(b.before), splitLines(b.after), b.runs);
    container.append(section);
  });
  const unchanged = blocks.length - changed;
  if (unchanged) container.append(Object.assign(document.createElement('p'), { className: 'muted', textContent: `${unchanged} tool output(s) left unchanged.` }));
}
