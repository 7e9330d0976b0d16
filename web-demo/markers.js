/**
 * Finding Headroom markers in displayed text, so each can be made clickable.
 * The grammar is the engine's (engine/core/src/marker.rs):
 *   block marker  [headroom: 772 of 812 lines omitted (kept …) · headroom_retrieve("<hash>")]
 *   elision       … 42 lines omitted · headroom_retrieve("<hash>")      (inside source code comments)
 *   JSON value    {"_headroom":"485 of 500 items omitted","retrieve":"<hash>"}
 *                 (or the same two members inside a kept object: {"id":1,"_headroom":"9 fields omitted","retrieve":"<hash>"})
 *   gap line      [headroom: 37 lines omitted]   (no hash: part of the block whose marker precedes it;
 *                 the same form ends a shortened line or string: … [headroom: 120 chars omitted])
 * In a request body the markers sit inside JSON strings, so quotes may be
 * escaped (\"); the patterns accept both.
 */

const Q = '\\\\?"'; // a quote, escaped or not
const CALL = `headroom_retrieve\\(${Q}[0-9a-f]{24}${Q}\\)`;
const MEMBERS = `${Q}_headroom${Q}\\s*:\\s*${Q}[^"\\\\\\n]*${Q}\\s*,\\s*${Q}retrieve${Q}\\s*:\\s*${Q}[0-9a-f]{24}${Q}`;
const FORMS = [
  ['block', `\\[headroom: [^\\]\\n]*?· ${CALL}\\]`],
  ['elision', `… \\d+ lines? omitted · ${CALL}`],
  ['json', `\\{\\s*${MEMBERS}\\s*\\}`], // a JSON value standing for omitted items
  ['json', MEMBERS], // the same two members inside a kept object
  ['gap', `\\[headroom: [^\\]\\n]*\\]`],
];
const PATTERN = new RegExp(FORMS.map(([, source]) => `(${source})`).join('|'), 'g');

/**
 * Markers in `text`, in order: `{start, end, hash, form}` with `form` one of
 * `block`, `elision`, `json`, `gap`. A gap line gets the hash of the nearest
 * marker before it (or after it, when it comes first): the block it belongs to.
 */
export function findMarkers(text) {
  const found = [];
  for (const m of text.matchAll(PATTERN)) {
    const form = FORMS[m.findIndex((group, i) => i > 0 && group !== undefined) - 1][0];
    const hash = form === 'gap' ? null : m[0].match(/[0-9a-f]{24}/g).at(-1);
    found.push({ start: m.index, end: m.index + m[0].length, hash, form });
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
