/**
 * Finding Headroom markers in displayed text, so each can be made clickable.
 * The grammar is the engine's (engine/core/src/marker.rs):
 *   block marker  [headroom: 772 of 812 lines omitted (kept …) · headroom_retrieve("<hash>")]
 *   elision       … 42 lines omitted · headroom_retrieve("<hash>")      (inside source code comments)
 *   JSON value    {"_headroom":"485 of 500 items omitted","retrieve":"<hash>"}
 *   gap line      [headroom: 37 lines omitted]   (no hash: part of the block whose marker precedes it)
 * In a request body the markers sit inside JSON strings, so quotes may be
 * escaped (\"); the patterns accept both.
 */

const Q = '\\\\?"'; // a quote, escaped or not
const HASH = '([0-9a-f]{24})';
const CALL = `headroom_retrieve\\(${Q}${HASH}${Q}\\)`;
const PATTERN = new RegExp(
  [
    `(\\[headroom: [^\\]\\n]*?· ${CALL}\\])`, // block marker
    `(… \\d+ lines? omitted · ${CALL})`, // elision
    `(\\{\\s*${Q}_headroom${Q}\\s*:\\s*${Q}[^"\\\\\\n]*${Q}\\s*,\\s*${Q}retrieve${Q}\\s*:\\s*${Q}${HASH}${Q}\\s*\\})`, // JSON value
    `(\\[headroom: [^\\]\\n]*\\])`, // gap line
  ].join('|'),
  'g',
);

/**
 * Markers in `text`, in order: `{start, end, hash, form}` with `form` one of
 * `block`, `elision`, `json`, `gap`. A gap line gets the hash of the nearest
 * marker before it (or after it, when it comes first): the block it belongs to.
 */
export function findMarkers(text) {
  const found = [];
  for (const m of text.matchAll(PATTERN)) {
    const [, block, blockHash, elision, elisionHash, json, jsonHash] = m;
    const form = block ? 'block' : elision ? 'elision' : json ? 'json' : 'gap';
    found.push({ start: m.index, end: m.index + m[0].length, hash: blockHash ?? elisionHash ?? jsonHash ?? null, form });
  }
  let last = null;
  for (const marker of found) {
    if (marker.hash) last = marker.hash;
    else marker.hash = last;
  }
  const first = found.find((m) => m.hash)?.hash ?? null;
  for (const marker of found) marker.hash ??= first;
  return found;
}
