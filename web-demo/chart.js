/**
 * Savings per tool output of a request body, as an inline SVG bar chart:
 * one row per block, the full bar is its tokens before, the dark part what
 * is left after compression.
 */

const SVG = 'http://www.w3.org/2000/svg';
const ROW = 26;
const LABEL = 230;
const BAR = 420;
const NOTE = 200;

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * `blocks`: the engine's block reports (`path`, `kind`, `tokensBefore`,
 * `tokensAfter`, `compressed`). `onPick(index)` is called when a row is clicked.
 */
export function savingsChart(blocks, onPick) {
  const max = Math.max(1, ...blocks.map((b) => b.tokensBefore));
  const svg = el('svg', {
    class: 'chart',
    viewBox: `0 0 ${LABEL + BAR + NOTE} ${blocks.length * ROW + 4}`,
    role: 'img',
    'aria-label': 'Tokens per tool output, before and after compression',
  });
  blocks.forEach((block, i) => {
    const y = i * ROW + 2;
    const row = el('g', { class: block.compressed ? 'bar compressed' : 'bar', 'data-index': i });
    const full = Math.max(1, (block.tokensBefore / max) * BAR);
    const kept = block.compressed ? Math.max(1, (block.tokensAfter / max) * BAR) : full;
    const saved = block.tokensBefore > 0 ? (1 - block.tokensAfter / block.tokensBefore) * 100 : 0;
    row.append(
      el('title', {}, `${block.path}\n${block.kind}: ${block.tokensBefore} → ${block.tokensAfter} tokens`),
      el('text', { x: LABEL - 8, y: y + 16, 'text-anchor': 'end', class: 'label' }, `#${block.messageIndex} ${block.kind}`),
      el('rect', { x: LABEL, y: y + 3, width: full, height: ROW - 8, class: 'before' }),
      el('rect', { x: LABEL, y: y + 3, width: kept, height: ROW - 8, class: 'after' }),
      el(
        'text',
        { x: LABEL + full + 6, y: y + 16, class: 'note' },
        block.compressed ? `${block.tokensBefore.toLocaleString('en-US')} → ${block.tokensAfter.toLocaleString('en-US')} (−${saved.toFixed(1)}%)` : `${block.tokensBefore.toLocaleString('en-US')} unchanged`,
      ),
    );
    if (onPick) row.addEventListener('click', () => onPick(i));
    svg.append(row);
  });
  return svg;
}
