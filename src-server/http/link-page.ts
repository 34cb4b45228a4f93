/**
 * HTML of the public link pages (`/s/TOKEN`): pure functions from data to a complete,
 * self-contained document. No scripts, no external resources: one inline stylesheet allowed
 * by its SHA-256 in the Content-Security-Policy ({@link LINK_PAGE_CSP}), so even an injected
 * tag could not load or run anything. Every interpolated string goes through {@link esc}.
 */
import { createHash } from 'node:crypto';

const STYLE = `body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2430;background:#f4f6f9;margin:0}
main{max-width:44rem;margin:3rem auto;background:#fff;border:1px solid #dde2ea;border-radius:10px;padding:1.5rem 2rem}
h1{font-size:1.3rem;margin:0 0 .25rem;word-break:break-all}p.meta{color:#5b6576;margin:0 0 1.25rem}
a.button,button{display:inline-block;background:#2f6fdb;color:#fff;border:0;border-radius:6px;padding:.55rem 1.1rem;font:inherit;text-decoration:none;cursor:pointer}
table{width:100%;border-collapse:collapse;margin-top:1rem}td{padding:.35rem .25rem;border-top:1px solid #eef1f5;word-break:break-all}
td.num{text-align:right;white-space:nowrap;color:#5b6576}input{font:inherit;padding:.45rem;border:1px solid #c5ccd8;border-radius:6px;margin-right:.5rem}
.error{color:#b42318}footer{color:#8a93a3;font-size:.8rem;margin-top:1.5rem}`;

/** Content-Security-Policy of every `/s/` answer: nothing but the page's own stylesheet and form. */
export const LINK_PAGE_CSP =
  `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; ` +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** HTML-escapes text for element content and double-quoted attributes. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/gu, (c) => `&#${c.charCodeAt(0)};`);
}

/** Human size: `1.5 MB (1 572 864 bytes)` style, binary units. */
export function humanSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${bytes} bytes` : `${v.toFixed(1)} ${units[i]}`;
}

function time(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

function doc(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta name="referrer" content="no-referrer"><title>${esc(title)} · Cairn</title><style>${STYLE}</style></head>` +
    `<body><main>${body}<footer>Shared with Cairn</footer></main></body></html>`
  );
}

/** A message page (not found, expired, revoked, rate limited). */
export function messagePage(title: string, text: string): string {
  return doc(title, `<h1>${esc(title)}</h1><p class="meta">${esc(text)}</p>`);
}

/** The password form; `wrong` adds the "wrong password" line. */
export function passwordPage(name: string | null, wrong: boolean): string {
  return doc(
    'Password required',
    `<h1>Password required</h1><p class="meta">${name ? `“${esc(name)}” is` : 'This link is'} protected by a password.</p>` +
      (wrong ? '<p class="error">Wrong password. Try again.</p>' : '') +
      `<form method="post"><input type="password" name="password" autocomplete="current-password" required autofocus>` +
      `<button type="submit">Open</button></form>`,
  );
}

/** One file of a folder listing (`rel` = path inside the linked folder). */
export interface ListedFile {
  rel: string;
  size: number;
  mtime: number;
}

/** Page of a linked file. `downloadHref` is relative to the page. */
export function filePage(name: string, size: number, mtime: number, downloadHref: string): string {
  return doc(
    name,
    `<h1>${esc(name)}</h1><p class="meta">${esc(humanSize(size))} · modified ${esc(time(mtime))}</p>` +
      `<a class="button" href="${esc(downloadHref)}">Download</a>`,
  );
}

/** Page of a linked folder: its files (at most the listed ones; `more` = some left out). */
export function folderPage(name: string, files: ListedFile[], more: boolean, zipHref: string, fileHref: (rel: string) => string): string {
  const total = files.reduce((s, f) => s + f.size, 0);
  const rows = files
    .map((f) => `<tr><td><a href="${esc(fileHref(f.rel))}">${esc(f.rel)}</a></td><td class="num">${esc(humanSize(f.size))}</td><td class="num">${esc(time(f.mtime))}</td></tr>`)
    .join('');
  return doc(
    name,
    `<h1>${esc(name)}</h1><p class="meta">Folder · ${files.length}${more ? '+' : ''} files · ${esc(humanSize(total))}</p>` +
      `<a class="button" href="${esc(zipHref)}">Download all (.zip)</a>` +
      (files.length ? `<table>${rows}</table>` : '<p class="meta">This folder is empty.</p>') +
      (more ? '<p class="meta">More files are in the .zip.</p>' : ''),
  );
}
