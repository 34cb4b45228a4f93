/**
 * The window: first run while the device is not linked, else a navigation rail and the
 * current screen. Also the connection and notice banners shared by every screen.
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import type { Screen } from './store/app.ts';
import { useApp, useStores } from './stores-context.tsx';
import { NoticeLine, StateBadge } from './ui/bits.tsx';
import { FirstRun } from './screens/FirstRun.tsx';
import { StatusScreen } from './screens/Status.tsx';
import { ConflictsScreen } from './screens/Conflicts.tsx';
import { HistoryScreen } from './screens/History.tsx';
import { DeletedScreen } from './screens/Deleted.tsx';
import { SelectiveScreen } from './screens/Selective.tsx';
import { PreferencesScreen } from './screens/Preferences.tsx';
import { SharingScreen } from './screens/Sharing.tsx';

const NAV: { screen: Screen; label: string }[] = [
  { screen: 'status', label: 'Status' },
  { screen: 'conflicts', label: 'Conflicts' },
  { screen: 'history', label: 'Version history' },
  { screen: 'deleted', label: 'Deleted files' },
  { screen: 'selective', label: 'Selective sync' },
  { screen: 'sharing', label: 'Sharing' },
  { screen: 'preferences', label: 'Preferences' },
];

function Nav() {
  const { app, sharing } = useStores();
  const screen = useApp((s) => s.screen);
  const conflicts = useApp((s) => s.status?.conflicts ?? 0);
  const invitations = useStore(sharing, (s) => s.invitations.length);
  // Invitations to this account are worth a badge from the start, not only on the Sharing screen.
  useEffect(() => {
    void sharing.getState().load();
  }, [sharing]);
  const state = useApp((s) => s.status?.state);
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  // Arrow keys move between the navigation items (Tab still leaves the list).
  const onKeyDown = (e: KeyboardEvent, i: number) => {
    const next =
      e.key === 'ArrowDown'
        ? i + 1
        : e.key === 'ArrowUp'
          ? i - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? NAV.length - 1
              : null;
    if (next === null) return;
    e.preventDefault();
    refs.current[(next + NAV.length) % NAV.length]?.focus();
  };
  return (
    <nav className="rail" aria-label="Cairn">
      <div className="brand">
        <span className="logo" aria-hidden="true">
          ◭
        </span>{' '}
        Cairn
      </div>
      {state ? <StateBadge state={state} /> : null}
      <ul>
        {NAV.map((n, i) => (
          <li key={n.screen}>
            <button
              type="button"
              ref={(el) => {
                refs.current[i] = el;
              }}
              aria-current={screen === n.screen ? 'page' : undefined}
              onClick={() => app.getState().go(n.screen)}
              onKeyDown={(e) => onKeyDown(e, i)}
            >
              {n.label}
              {n.screen === 'conflicts' && conflicts > 0 ? (
                <span className="count" aria-label={`${conflicts} conflicts`}>
                  {conflicts}
                </span>
              ) : null}
              {n.screen === 'sharing' && invitations > 0 ? (
                <span
                  className="count count-info"
                  aria-label={`${invitations} invitation${invitations === 1 ? '' : 's'}`}
                >
                  {invitations}
                </span>
              ) : null}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Banners() {
  const { app } = useStores();
  const connection = useApp((s) => s.connection);
  const notice = useApp((s) => s.notice);
  return (
    <>
      {connection === 'lost' ? (
        <NoticeLine kind="error">Lost contact with Cairn. Reconnecting…</NoticeLine>
      ) : null}
      {notice ? (
        <div className="notice-row">
          <NoticeLine kind={notice.kind}>{notice.text}</NoticeLine>
          <button
            type="button"
            className="link small"
            onClick={() => app.getState().notify(null)}
            aria-label="Dismiss message"
          >
            Dismiss
          </button>
        </div>
      ) : null}
    </>
  );
}

function CurrentScreen() {
  const { app, history } = useStores();
  const screen = useApp((s) => s.screen);
  const openHistory = (path: string) => {
    app.getState().go('history');
    void history.getState().open(path);
  };
  switch (screen) {
    case 'conflicts':
      return <ConflictsScreen />;
    case 'history':
      return <HistoryScreen />;
    case 'deleted':
      return <DeletedScreen />;
    case 'selective':
      return <SelectiveScreen />;
    case 'sharing':
      return <SharingScreen />;
    case 'preferences':
      return <PreferencesScreen />;
    default:
      return <StatusScreen onOpenHistory={openHistory} />;
  }
}

/** A full-window message (stale link, engine not answering, loading). */
export function Message({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <main className="first-run" id="main">
      <div className="card first-run-card">
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

export function App() {
  const { app } = useStores();
  const status = useApp((s) => s.status);
  const loadError = useApp((s) => s.loadError);
  const connection = useApp((s) => s.connection);
  const screen = useApp((s) => s.screen);
  const first = useRef(true);
  useEffect(() => {
    void app.getState().refresh();
  }, [app]);
  // Move focus to the new screen's heading so keyboard and screen-reader users land there.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('#main h1')?.focus();
  }, [screen]);

  if (connection === 'auth') {
    return (
      <Message title="This link has expired">
        <p>
          Cairn makes a new secret link each time it starts. Run <code>cairn open</code> to open the current
          one.
        </p>
      </Message>
    );
  }
  if (!status) {
    return loadError ? (
      <Message title="Cairn is not answering">
        <p>{loadError}</p>
        <button type="button" className="primary" onClick={() => void app.getState().refresh()}>
          Try again
        </button>
      </Message>
    ) : (
      <Message title="Loading…" />
    );
  }
  if (status.state === 'setup') return <FirstRun />;
  return (
    <div className="layout">
      <Nav />
      <div className="content">
        <Banners />
        <CurrentScreen />
      </div>
    </div>
  );
}
