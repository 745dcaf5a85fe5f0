// @ts-check
/**
 * A unified diff shown per file: a summary of files with added/removed counts, then each file's
 * hunks. The +/- markers stay visible, so additions and removals do not depend on colour.
 */
import { html } from './ui.js';

/** @typedef {{path: string, lines: string[], added: number, removed: number, binary: boolean, uncommitted: boolean}} DiffFile */

/**
 * Pure: split `git diff` output into files.
 * @param {string} diff
 * @returns {DiffFile[]}
 */
export function parseDiff(diff) {
  /** @type {DiffFile[]} */
  const files = [];
  /** @type {DiffFile | null} */
  let cur = null;
  let uncommitted = false;
  // git's extended headers and `--- a/x` / `+++ b/x` come only before a file's first hunk; after it,
  // a line such as `--- x` is a removed `-- x` (an SQL comment), content to count and show
  let inHunks = false;
  for (const line of diff.split('\n')) {
    // the daemon separates committed work from what is still only in the worktree with this line
    if (line.startsWith('# uncommitted changes')) {
      uncommitted = true;
      cur = null;
      continue;
    }
    const head = /^diff --git a\/(.+?) b\/(.+)$/.exec(line);
    if (head) {
      cur = { path: head[2] ?? head[1] ?? '?', lines: [], added: 0, removed: 0, binary: false, uncommitted };
      files.push(cur);
      inHunks = false;
      continue;
    }
    if (!cur) continue;
    if (line.startsWith('Binary files')) cur.binary = true;
    else if (line.startsWith('@@')) inHunks = true;
    else if (!inHunks) continue;
    else if (line.startsWith('+')) cur.added++;
    else if (line.startsWith('-')) cur.removed++;
    cur.lines.push(line);
  }
  for (const f of files) while (f.lines.length && f.lines[f.lines.length - 1] === '') f.lines.pop();
  return files;
}

/** @param {string} line */
function lineClass(line) {
  if (line.startsWith('@@')) return 'dl hunk';
  if (line.startsWith('+')) return 'dl add';
  if (line.startsWith('-')) return 'dl del';
  return 'dl';
}

/** @param {{diff: string}} p */
export function DiffView({ diff }) {
  const files = parseDiff(diff);
  if (files.length === 0) return html`<p class="empty">No changes on this branch yet.</p>`;
  const many = files.length > 12;
  return html`<div class="diff">
    <ul class="diff-files" aria-label="Changed files">
      ${files.map(
        (f, i) => html`<li key=${f.path}><a href=${`#file-${i}`} onClick=${(/** @type {MouseEvent} */ e) => {
          e.preventDefault();
          document.getElementById(`file-${i}`)?.scrollIntoView({ block: 'start' });
        }}><code>${f.path}</code></a>
          <span class="diff-stat"><span class="plus">+${f.added}</span> <span class="minus">−${f.removed}</span></span></li>`,
      )}
    </ul>
    ${files.map(
      (f, i) => html`<details key=${f.path} id=${`file-${i}`} class="diff-file" open=${!many || i < 12}>
        <summary class="diff-file-head"><span><code>${f.path}</code>${f.uncommitted && html` <span class="tag">uncommitted</span>`}</span> <span class="diff-stat"><span class="plus">+${f.added}</span> <span class="minus">−${f.removed}</span></span></summary>
        ${
          f.binary
            ? html`<p class="hint">Binary file changed.</p>`
            : html`<pre class="diff-body">${f.lines.map((l, j) => html`<span key=${j} class=${lineClass(l)}>${l || ' '}\n</span>`)}</pre>`
        }
      </details>`,
    )}
  </div>`;
}
