/** Deleted files: what the server still keeps after a delete, and restoring it. */
import { useEffect } from 'react';
import { formatBytes, formatDateTime } from '../store/format.ts';
import { useScreenStore } from '../stores-context.tsx';
import { Empty, NoticeLine, ScreenHeader } from '../ui/bits.tsx';

export function DeletedScreen() {
  const d = useScreenStore('deleted');
  const { load } = d;
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <main id="main" className="screen">
      <ScreenHeader title="Deleted files">
        Deleted files are kept on the server for a while. Restore one to bring it back everywhere.
      </ScreenHeader>
      {d.message ? <NoticeLine kind="ok">{d.message}</NoticeLine> : null}
      {d.error ? <NoticeLine kind="error">{d.error}</NoticeLine> : null}
      {d.loading && d.entries.length === 0 ? <p className="muted">Loading…</p> : null}
      {!d.loading && d.entries.length === 0 && !d.error ? <Empty>No deleted files.</Empty> : null}
      {d.entries.length > 0 ? (
        <section className="card">
          <ul className="plain rows" data-testid="deleted">
            {d.entries.map((e) => (
              <li key={e.path} className="row">
                <div className="row-text">
                  <span className="file-name">
                    {e.kind === 'folder' ? '📁 ' : ''}
                    {e.path}
                  </span>
                  <span className="muted small">
                    {e.kind === 'file' ? `${formatBytes(e.size)} · ` : ''}deleted{' '}
                    {formatDateTime(e.server_time)}
                    {e.device_name ? ` by ${e.device_name}` : ''}
                  </span>
                </div>
                <div className="row-actions">
                  <button
                    type="button"
                    disabled={d.working === e.path}
                    onClick={() => void d.undelete(e.path)}
                    aria-label={`Restore ${e.path}`}
                  >
                    Restore
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </main>
  );
}
