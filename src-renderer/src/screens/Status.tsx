/**
 * Status: the engine's state, progress, a held mass delete, errors and files that cannot
 * sync (with what to do), and recent activity.
 */
import { useState } from 'react';
import { useStores, useApp } from '../stores-context.tsx';
import { describeAction, formatBytes, formatEta, formatWhen, localPath } from '../store/format.ts';
import { Empty, Progress, ScreenHeader, StateBadge } from '../ui/bits.tsx';
import type { Status as StatusT } from '../../../src-shared/control.ts';

/** Activity items shown before "Show all". */
const ACTIVITY_SHOWN = 12;

function summary(s: StatusT): string {
  switch (s.state) {
    case 'idle':
      return s.last_synced_at
        ? `Everything is up to date. Last change synced ${formatWhen(s.last_synced_at)}.`
        : 'Everything is up to date.';
    case 'syncing':
      return 'Cairn is bringing this computer and the server in line.';
    case 'offline':
      return 'The server cannot be reached. Changes made here are kept and will sync once it is back.';
    case 'paused':
      return 'Syncing is paused. Changes made here are kept and will sync when you resume.';
    case 'held':
      return 'Cairn stopped before deleting many files. Please check below.';
    case 'error':
      return 'Syncing has stopped. See below for what happened and what to do.';
    default:
      return '';
  }
}

function HeldDeletes({ status }: { status: StatusT }) {
  const { app } = useStores();
  const confirming = useApp((s) => s.confirmingDeletes);
  const busy = useApp((s) => s.busy);
  const held = status.held_deletes;
  if (!held) return null;
  const where = held.side === 'local' ? 'on this computer' : 'on the server and your other devices';
  return (
    <section className="card warn" aria-labelledby="held-title">
      <h2 id="held-title">
        {held.count.toLocaleString()} file{held.count === 1 ? '' : 's'} would be deleted {where}
      </h2>
      <p>
        So many deletions at once can mean a drive was unplugged or a folder wiped by mistake. Nothing has
        been deleted yet.
      </p>
      {held.sample.length > 0 ? (
        <ul className="sample">
          {held.sample.map((p) => (
            <li key={p}>{p}</li>
          ))}
          {held.count > held.sample.length ? (
            <li className="muted">and {held.count - held.sample.length} more</li>
          ) : null}
        </ul>
      ) : null}
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => void app.getState().rejectDeletes()}
        >
          Keep the files
        </button>
        {confirming ? (
          <>
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => void app.getState().confirmDeletes()}
            >
              Yes, delete {held.count.toLocaleString()} files
            </button>
            <button type="button" disabled={busy} onClick={() => app.getState().askConfirmDeletes(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" disabled={busy} onClick={() => app.getState().askConfirmDeletes(true)}>
            The deletions are intended…
          </button>
        )}
      </div>
    </section>
  );
}

export function StatusScreen({ onOpenHistory }: { onOpenHistory: (path: string) => void }) {
  const { app } = useStores();
  const status = useApp((s) => s.status)!;
  const activity = useApp((s) => s.activity);
  const busy = useApp((s) => s.busy);
  const [showAll, setShowAll] = useState(false);
  const shown = showAll ? activity : activity.slice(0, ACTIVITY_SHOWN);
  const { pending, progress } = status;
  const files = pending.uploads + pending.downloads + pending.other;
  const eta = formatEta(progress.eta_ms);
  const paused = status.state === 'paused';
  return (
    <main id="main" className="screen">
      <ScreenHeader title="Status" />
      <section className="card status-card" aria-label="Sync state">
        <div className="status-head">
          <StateBadge state={status.state} />
          <button
            type="button"
            disabled={busy}
            onClick={() => void (paused ? app.getState().resume() : app.getState().pause())}
          >
            {paused ? 'Resume syncing' : 'Pause syncing'}
          </button>
        </div>
        <p className="status-summary">{summary(status)}</p>
        {status.folder ? (
          <p className="muted small">
            Folder <code>{status.folder}</code> · {status.email} on {status.server}
          </p>
        ) : null}
        {files > 0 || progress.total_bytes > 0 ? (
          <div className="progress-block" data-testid="progress">
            <Progress
              value={progress.total_bytes ? progress.done_bytes / progress.total_bytes : 0}
              label="Sync progress"
            />
            <p className="small">
              {files > 0 ? (
                <>
                  {pending.uploads > 0 ? <span>↑ {pending.uploads} to upload </span> : null}
                  {pending.downloads > 0 ? <span>↓ {pending.downloads} to download </span> : null}
                  {pending.other > 0 ? <span>{pending.other} other changes </span> : null}·{' '}
                </>
              ) : null}
              {formatBytes(progress.done_bytes)} of {formatBytes(progress.total_bytes)}
              {eta ? ` · ${eta} left` : ''}
            </p>
          </div>
        ) : null}
      </section>

      <HeldDeletes status={status} />

      {status.error ? (
        <section className="card error" role="alert" aria-labelledby="err-title">
          <h2 id="err-title">Syncing stopped</h2>
          <p>{status.error.message}</p>
          <p className="muted small">Code: {status.error.code}</p>
        </section>
      ) : null}

      {status.conflicts > 0 ? (
        <section className="card info">
          <p>
            {status.conflicts} conflicted {status.conflicts === 1 ? 'copy needs' : 'copies need'} a decision.{' '}
            <button type="button" className="link" onClick={() => app.getState().go('conflicts')}>
              Review conflicts
            </button>
          </p>
        </section>
      ) : null}

      {status.issues.length > 0 ? (
        <section className="card" aria-labelledby="issues-title">
          <h2 id="issues-title">Files that cannot sync ({status.issues.length})</h2>
          <ul className="divided">
            {status.issues.map((i) => (
              <li key={`${i.path}:${i.code}`}>
                <div className="issue-path" title={localPath(status.folder, i.path)}>
                  {i.path}
                </div>
                <div>{i.message}</div>
                <div className="muted small">What to do: {i.action}</div>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section className="card" aria-labelledby="activity-title">
        <h2 id="activity-title">Recent activity</h2>
        {activity.length === 0 ? (
          <Empty>Nothing has changed yet.</Empty>
        ) : (
          <ul className="activity" data-testid="activity">
            {shown.map((a) => (
              <li key={a.id}>
                <span className={`verb verb-${a.action}`}>{describeAction(a.action)}</span>
                <button
                  type="button"
                  className="link file"
                  title="Show version history"
                  onClick={() => onOpenHistory(a.path)}
                >
                  {a.path}
                </button>
                <span className="muted small">
                  {a.device_name ? `${a.device_name} · ` : ''}
                  {formatWhen(a.time)}
                </span>
                {a.detail ? <span className="muted small detail">{a.detail}</span> : null}
              </li>
            ))}
          </ul>
        )}
        {activity.length > ACTIVITY_SHOWN ? (
          <button
            type="button"
            className="link small"
            aria-expanded={showAll}
            onClick={() => setShowAll(!showAll)}
          >
            {showAll ? 'Show fewer' : `Show all ${activity.length}`}
          </button>
        ) : null}
      </section>
    </main>
  );
}
