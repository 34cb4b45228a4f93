/**
 * Preferences: pause, bandwidth limits, start at login, ignore rules; linked devices with
 * revoke; the account and its quota; unlinking this device.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { formatBytes, formatKbps, formatWhen, parseKbps } from '../store/format.ts';
import { useApp, useScreenStore, useStores } from '../stores-context.tsx';
import { NoticeLine, Progress, ScreenHeader } from '../ui/bits.tsx';

/**
 * A bandwidth limit: KB/s text in the form, bytes/s in the draft. The text is kept as typed;
 * only valid text reaches the draft, and invalid text shows why (and blocks saving) instead
 * of quietly becoming 0, which would mean "no limit".
 */
function LimitField({
  id,
  label,
  bps,
  onChange,
  onValidity,
}: {
  id: string;
  label: string;
  bps: number;
  onChange(bps: number): void;
  onValidity(valid: boolean): void;
}) {
  const [text, setText] = useState(() => formatKbps(bps));
  const parsed = parseKbps(text);
  // The draft changed from outside (loaded, saved): show it, unless the text already says it.
  useEffect(() => {
    setText((t) => {
      const p = parseKbps(t);
      return p.ok && p.bps === bps ? t : formatKbps(bps);
    });
  }, [bps]);
  useEffect(() => onValidity(parsed.ok), [parsed.ok, onValidity]);
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        autoComplete="off"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          const p = parseKbps(e.target.value);
          if (p.ok) onChange(p.bps);
        }}
        aria-invalid={!parsed.ok}
        aria-describedby={parsed.ok ? 'limit-hint' : `${errorId} limit-hint`}
      />
      {parsed.ok ? null : (
        <small id={errorId} className="field-error" role="alert">
          {parsed.error}
        </small>
      )}
    </div>
  );
}

export function PreferencesScreen() {
  const { app } = useStores();
  const p = useScreenStore('prefs');
  const state = useApp((s) => s.status?.state);
  const busy = useApp((s) => s.busy);
  const [unlinking, setUnlinking] = useState(false);
  const [invalid, setInvalid] = useState<Record<string, boolean>>({});
  const upValidity = useCallback((ok: boolean) => setInvalid((v) => ({ ...v, up: !ok })), []);
  const downValidity = useCallback((ok: boolean) => setInvalid((v) => ({ ...v, down: !ok })), []);
  const formInvalid = Object.values(invalid).some(Boolean);
  const { load } = p;
  useEffect(() => {
    void load();
  }, [load]);
  const d = p.draft;
  const onSave = (e: FormEvent) => {
    e.preventDefault();
    if (!formInvalid) void p.save();
  };
  const account = p.account;
  return (
    <main id="main" className="screen">
      <ScreenHeader title="Preferences" />
      {p.message ? <NoticeLine kind="ok">{p.message}</NoticeLine> : null}
      {p.error ? <NoticeLine kind="error">{p.error}</NoticeLine> : null}

      <section className="card" aria-labelledby="sync-title">
        <h2 id="sync-title">Syncing</h2>
        <div className="row-between">
          <p>{state === 'paused' ? 'Syncing is paused.' : 'Syncing is on.'}</p>
          <button
            type="button"
            disabled={busy}
            onClick={() => void (state === 'paused' ? app.getState().resume() : app.getState().pause())}
          >
            {state === 'paused' ? 'Resume syncing' : 'Pause syncing'}
          </button>
        </div>
        {d ? (
          <form onSubmit={onSave} className="prefs-form">
            <div className="grid2">
              <LimitField
                id="up"
                label="Upload limit (KB/s)"
                bps={d.upload_limit_bps}
                onChange={(bps) => p.edit({ upload_limit_bps: bps })}
                onValidity={upValidity}
              />
              <LimitField
                id="down"
                label="Download limit (KB/s)"
                bps={d.download_limit_bps}
                onChange={(bps) => p.edit({ download_limit_bps: bps })}
                onValidity={downValidity}
              />
            </div>
            <small id="limit-hint">0 means no limit.</small>
            <label className="check">
              <input
                type="checkbox"
                checked={d.start_at_login}
                onChange={(e) => p.edit({ start_at_login: e.target.checked })}
              />
              Start Cairn when I log in
            </label>
            <div className="field">
              <label htmlFor="ignore">Ignore rules</label>
              <textarea
                id="ignore"
                rows={5}
                spellCheck={false}
                value={d.ignore_rules}
                onChange={(e) => p.edit({ ignore_rules: e.target.value })}
                aria-describedby="ignore-hint"
              />
              <small id="ignore-hint">
                One pattern per line, like .gitignore (for example <code>*.tmp</code> or <code>build/</code>).
                Matching files are never uploaded.
              </small>
            </div>
            <div className="actions">
              <button type="submit" className="primary" disabled={p.saving || formInvalid || !p.dirty()}>
                {p.saving ? 'Saving…' : 'Save preferences'}
              </button>
            </div>
          </form>
        ) : p.loading ? (
          <p className="muted">Loading…</p>
        ) : null}
      </section>

      <section className="card" aria-labelledby="account-title">
        <h2 id="account-title">Account</h2>
        {account ? (
          <>
            <p>
              Signed in as <b>{account.email}</b>
            </p>
            <Progress
              value={account.quota_bytes ? account.used_bytes / account.quota_bytes : 0}
              label="Storage used"
            />
            <p className="small muted">
              {formatBytes(account.used_bytes)} of {formatBytes(account.quota_bytes)} used
            </p>
          </>
        ) : (
          <p className="muted">{p.loading ? 'Loading…' : 'Account details are not available right now.'}</p>
        )}
        <div className="actions">
          {unlinking ? (
            <>
              <span>This computer stops syncing; the files in its folder stay where they are.</span>
              <button
                type="button"
                className="danger"
                onClick={() => void p.logout().then((ok) => ok && void app.getState().refresh())}
              >
                Unlink
              </button>
              <button type="button" onClick={() => setUnlinking(false)}>
                Cancel
              </button>
            </>
          ) : (
            <button type="button" onClick={() => setUnlinking(true)}>
              Unlink this computer…
            </button>
          )}
        </div>
      </section>

      <section className="card" aria-labelledby="devices-title">
        <h2 id="devices-title">Devices</h2>
        <ul className="plain rows" data-testid="devices">
          {p.devices.map((dev) => (
            <li key={dev.id} className="row">
              <div className="row-text">
                <span>
                  <b>{dev.name}</b> {dev.current ? <span className="tag">This computer</span> : null}
                </span>
                <span className="muted small">
                  {dev.last_seen_at ? `seen ${formatWhen(dev.last_seen_at)}` : 'never seen'}
                </span>
              </div>
              <div className="row-actions">
                {dev.current ? null : p.revoking === dev.id ? (
                  <>
                    <button type="button" className="danger" onClick={() => void p.revoke(dev.id)}>
                      Revoke {dev.name}
                    </button>
                    <button type="button" onClick={() => p.askRevoke(null)}>
                      Cancel
                    </button>
                  </>
                ) : (
                  <button type="button" onClick={() => p.askRevoke(dev.id)}>
                    Revoke…
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
