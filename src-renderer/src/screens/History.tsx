/**
 * Version history: pick a file from the synced folder, see its revisions (time, size,
 * device), restore one, or save an old one somewhere else on this computer.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { Revision } from '../../../src-shared/protocol/model.ts';
import { baseName, formatBytes, formatDateTime, parentPath } from '../store/format.ts';
import { useApp, useScreenStore, useStores } from '../stores-context.tsx';
import { Empty, NoticeLine, ScreenHeader } from '../ui/bits.tsx';

function suggestDest(folder: string | null, path: string, r: Revision): string {
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  const stamp = formatDateTime(r.server_time).replace(/[: ]/g, '-');
  const file = dot > 0 ? `${name.slice(0, dot)} (${stamp})${name.slice(dot)}` : `${name} (${stamp})`;
  const base = folder ? folder.replace(/[\\/][^\\/]*$/, '') : '';
  return base ? `${base}/${file}` : file;
}

function SaveForm({ r }: { r: Revision }) {
  const h = useScreenStore('history');
  const folder = useApp((s) => s.status?.folder ?? null);
  const [dest, setDest] = useState(() => suggestDest(folder, h.path ?? '', r));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (dest.trim()) void h.saveAs(r.rev, dest.trim());
  };
  return (
    <form className="inline-form" onSubmit={onSubmit}>
      <label htmlFor={`dest-${r.rev}`}>Save this version as</label>
      <input
        id={`dest-${r.rev}`}
        type="text"
        value={dest}
        onChange={(e) => setDest(e.target.value)}
        autoFocus
      />
      <button type="submit" className="primary" disabled={h.working === r.rev}>
        Save
      </button>
      <button type="button" onClick={() => h.startSave(null)}>
        Cancel
      </button>
    </form>
  );
}

function Revisions() {
  const h = useScreenStore('history');
  if (!h.path) return null;
  return (
    <section className="card" aria-labelledby="revs-title">
      <div className="row-between">
        <h2 id="revs-title">
          Versions of <span className="file-name">{h.path}</span>
        </h2>
        <button type="button" onClick={h.close}>
          Close
        </button>
      </div>
      {h.message ? <NoticeLine kind="ok">{h.message}</NoticeLine> : null}
      {h.error ? <NoticeLine kind="error">{h.error}</NoticeLine> : null}
      {h.loading ? <p className="muted">Loading…</p> : null}
      {!h.loading && h.revisions.length === 0 && !h.error ? (
        <Empty>No versions recorded for this file.</Empty>
      ) : null}
      <ol className="divided" data-testid="revisions">
        {h.revisions.map((r) => (
          <li key={r.rev} className={r.current ? 'current' : ''}>
            <div className="rev-main">
              <span className="rev-time">{formatDateTime(r.server_time, true)}</span>
              {r.current ? <span className="tag">Current</span> : null}
              <span className="muted small">
                {formatBytes(r.size)} · {r.device_name ?? 'unknown device'}
              </span>
              <span className="spacer" />
              {!r.current ? (
                <button
                  type="button"
                  disabled={h.working === r.rev}
                  onClick={() => void h.restore(r.rev)}
                  aria-label={`Restore the version of ${formatDateTime(r.server_time, true)}`}
                >
                  Restore
                </button>
              ) : null}
              <button
                type="button"
                onClick={() => h.startSave(h.savingRev === r.rev ? null : r.rev)}
                aria-expanded={h.savingRev === r.rev}
              >
                Save a copy…
              </button>
            </div>
            {h.savingRev === r.rev ? <SaveForm r={r} /> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function HistoryScreen() {
  const h = useScreenStore('history');
  const { history } = useStores();
  useEffect(() => {
    // Browse once on entry (the folder last shown); later folder changes call browse themselves.
    void history.getState().browse(history.getState().folder);
  }, [history]);
  const crumbs = h.folder ? h.folder.split('/').filter(Boolean) : [];
  return (
    <main id="main" className="screen">
      <ScreenHeader title="Version history">
        Every saved change of a file is kept. Pick a file to see its versions.
      </ScreenHeader>
      <Revisions />
      <section className="card" aria-labelledby="browse-title">
        <h2 id="browse-title" className="visually-hidden">
          Files
        </h2>
        <nav aria-label="Folder" className="crumbs">
          <button type="button" className="link" onClick={() => void h.browse('')}>
            Cairn
          </button>
          {crumbs.map((c, i) => (
            <span key={i}>
              {' / '}
              <button
                type="button"
                className="link"
                onClick={() => void h.browse(crumbs.slice(0, i + 1).join('/'))}
              >
                {c}
              </button>
            </span>
          ))}
        </nav>
        {h.folder ? (
          <button type="button" className="link small" onClick={() => void h.browse(parentPath(h.folder))}>
            ↑ Up one folder
          </button>
        ) : null}
        {!h.loading && h.entries.length === 0 ? <Empty>This folder is empty.</Empty> : null}
        <ul className="files" data-testid="files">
          {h.entries.map((e) => (
            <li key={e.path}>
              {e.kind === 'folder' ? (
                <button type="button" className="link folder" onClick={() => void h.browse(e.path)}>
                  📁 {baseName(e.path)}
                </button>
              ) : (
                <button
                  type="button"
                  className="link file"
                  aria-current={h.path === e.path ? 'true' : undefined}
                  onClick={() => void h.open(e.path)}
                >
                  {baseName(e.path)}
                </button>
              )}
              <span className="muted small">{e.kind === 'file' ? formatBytes(e.size) : ''}</span>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
