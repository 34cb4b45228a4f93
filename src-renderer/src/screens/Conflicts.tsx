/**
 * Conflicts: each conflicted copy beside its original (size, time, device), with open both
 * (shows both local paths) and the three ways to settle it, labelled by file and device:
 * "Keep the copy from laptop" (keep `mine`: the copy replaces the original), "Keep the
 * original" (keep `theirs`: the copy is deleted), "Keep both".
 */
import { useEffect } from 'react';
import type { ConflictInfo } from '../../../src-shared/control.ts';
import { formatBytes, formatDateTime, localPath } from '../store/format.ts';
import { useApp, useScreenStore } from '../stores-context.tsx';
import { Empty, NoticeLine, ScreenHeader } from '../ui/bits.tsx';

function Side({
  title,
  path,
  size,
  mtime,
  device,
}: {
  title: string;
  path: string;
  size: number | null;
  mtime: number | null;
  device?: string | null;
}) {
  return (
    <div className="side">
      <h3>{title}</h3>
      <p className="file-name">{path}</p>
      <dl className="facts">
        <dt>Size</dt>
        <dd>{size === null ? '—' : formatBytes(size)}</dd>
        <dt>Modified</dt>
        <dd>{mtime === null ? '—' : formatDateTime(mtime)}</dd>
        {device !== undefined ? (
          <>
            <dt>From</dt>
            <dd>{device ?? 'unknown device'}</dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}

/** "the copy from laptop", or "the conflicted copy" when the device is unknown. */
const copyName = (device: string | null) => (device ? `the copy from ${device}` : 'the conflicted copy');

function ConflictCard({ c }: { c: ConflictInfo }) {
  const { resolve, settling, opened, toggleOpen } = useScreenStore('conflicts');
  const folder = useApp((s) => s.status?.folder ?? null);
  const busy = settling === c.path;
  const id = `conflict-${encodeURIComponent(c.path)}`;
  const copy = copyName(c.device_name);
  return (
    <li className="card conflict" aria-labelledby={id} data-testid="conflict">
      <h2 id={id} className="conflict-title">
        {c.original}
      </h2>
      <div className="sides">
        <Side
          title="Original"
          path={c.original}
          size={c.original_size}
          mtime={c.original_mtime}
          device={c.original_device_name}
        />
        <Side title="Conflicted copy" path={c.path} size={c.size} mtime={c.mtime} device={c.device_name} />
      </div>
      {opened === c.path ? (
        <div className="open-both" role="region" aria-label="Both files on this computer">
          <p className="small">Open these two files side by side in your usual app to compare them:</p>
          <code>{localPath(folder, c.original)}</code>
          <code>{localPath(folder, c.path)}</code>
        </div>
      ) : null}
      <div className="actions">
        <button type="button" aria-expanded={opened === c.path} onClick={() => toggleOpen(c.path)}>
          Open both
        </button>
        <span className="spacer" />
        <button
          type="button"
          disabled={busy}
          onClick={() => void resolve(c.path, 'mine')}
          title={`${capitalize(copy)} replaces the original; the original stays in version history`}
        >
          Keep {copy}
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => void resolve(c.path, 'theirs')}
          title={`${capitalize(copy)} is deleted; the original stays as it is`}
        >
          Keep the original
        </button>
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => void resolve(c.path, 'both')}
          title="Both stay, as two files"
        >
          Keep both
        </button>
      </div>
    </li>
  );
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function ConflictsScreen() {
  const { items, loading, error, load } = useScreenStore('conflicts');
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <main id="main" className="screen">
      <ScreenHeader title="Conflicts">
        When the same file changed in two places at once, Cairn keeps both: one version stays as the original,
        the other is saved beside it as a conflicted copy named after the device it came from.{' '}
        <b>Keep the copy</b> puts it in place of the original, <b>Keep the original</b> removes the copy,{' '}
        <b>Keep both</b> keeps two files. Replaced versions stay in version history.
      </ScreenHeader>
      {error ? <NoticeLine kind="error">{error}</NoticeLine> : null}
      {loading && items.length === 0 ? <p className="muted">Loading…</p> : null}
      {!loading && items.length === 0 && !error ? (
        <Empty>No conflicts. Every file has one version.</Empty>
      ) : null}
      <ul className="plain">
        {items.map((c) => (
          <ConflictCard key={c.path} c={c} />
        ))}
      </ul>
    </main>
  );
}
