/** Small shared pieces of the UI: state badge, progress bar, notice line, empty state. */
import type { ReactNode } from 'react';
import type { SyncState } from '../../../src-shared/control.ts';

const STATE_LABEL: Record<SyncState, string> = {
  setup: 'Not set up',
  idle: 'Up to date',
  syncing: 'Syncing',
  offline: 'Offline',
  paused: 'Paused',
  held: 'Waiting for you',
  error: 'Stopped',
};

/** Human label of an engine state. */
export function stateLabel(state: SyncState): string {
  return STATE_LABEL[state] ?? state;
}

/** A coloured dot and the state's label. */
export function StateBadge({ state }: { state: SyncState }) {
  return (
    <span className={`badge badge-${state}`} data-testid="state">
      <span className="dot" aria-hidden="true" />
      {stateLabel(state)}
    </span>
  );
}

/** A labelled progress bar (value between 0 and 1). */
export function Progress({ value, label }: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(100, Math.round(value * 100)));
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
    >
      <div className="progress-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}

/** A status line (polite live region) for results of an action. */
export function NoticeLine({ kind, children }: { kind: 'ok' | 'error'; children: ReactNode }) {
  return (
    <p className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}

/** Shown where a list has nothing in it. */
export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** Screen heading with an optional one-line explanation. */
export function ScreenHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="screen-header">
      <h1 tabIndex={-1}>{title}</h1>
      {children ? <p className="lede">{children}</p> : null}
    </header>
  );
}
