/**
 * Sharing: invitations to this account (accept at a chosen place, or decline), the shared
 * folders this account is in with a share dialog (members, roles, invite, remove, leave, stop
 * sharing), and public links (create with expiry and password, copy, revoke).
 */
import { useEffect, useLayoutEffect, useRef, type FormEvent, type ReactNode } from 'react';
import type { LinkInfo } from '../../../src-shared/control.ts';
import type { Share } from '../../../src-shared/protocol/model.ts';
import { formatDateTime } from '../store/format.ts';
import { EXPIRY_CHOICES, type Expiry, type MemberRole } from '../store/sharing.ts';
import { useApp, useScreenStore } from '../stores-context.tsx';
import { Empty, NoticeLine, ScreenHeader } from '../ui/bits.tsx';

const ROLE_LABEL = { owner: 'Owner', editor: 'Editor', viewer: 'Viewer' } as const;

/**
 * A modal dialog on the native `<dialog>` element: it keeps focus inside, closes on Escape
 * and gives focus back to what opened it. The element marked `data-autofocus` gets focus.
 */
function Modal({ titleId, onClose, children }: { titleId: string; onClose(): void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  // Layout effect: its cleanup runs before React removes the element, so the dialog is closed
  // while still in the page; focus then goes back to the opener explicitly (it may re-render).
  useLayoutEffect(() => {
    const d = ref.current;
    if (!d) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!d.open) d.showModal();
    d.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      d.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="modal"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {children}
    </dialog>
  );
}

/** The invite form of the share dialog (email and role). */
function InviteForm({ autoFocus }: { autoFocus: boolean }) {
  const s = useScreenStore('sharing');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void s.sendInvite();
  };
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="invite-title">
      <h3 id="invite-title">Invite someone</h3>
      <div className="invite-row">
        <div className="field grow">
          <label htmlFor="invite-email">Email</label>
          <input
            id="invite-email"
            type="email"
            autoComplete="off"
            placeholder="name@example.com"
            value={s.invite.email}
            onChange={(e) => s.editInvite({ email: e.target.value })}
            {...(autoFocus ? { 'data-autofocus': true } : {})}
          />
        </div>
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select
            id="invite-role"
            value={s.invite.role}
            onChange={(e) => s.editInvite({ role: e.target.value as MemberRole })}
            aria-describedby="role-hint"
          >
            <option value="editor">Editor</option>
            <option value="viewer">Viewer</option>
          </select>
        </div>
        <button type="submit" className="primary" disabled={s.busy}>
          Send invitation
        </button>
      </div>
      <small id="role-hint">Editors can add, change and delete files. Viewers can only download them.</small>
    </form>
  );
}

/** The members of a shared folder, with role and removal for its owner. */
function Members({ share, me }: { share: Share; me: string | null }) {
  const s = useScreenStore('sharing');
  const owner = share.role === 'owner';
  return (
    <ul className="plain rows members" data-testid="members" aria-label="People with access">
      {share.members.map((m) => {
        const asking =
          s.confirm?.kind === 'remove' && s.confirm.ns === share.ns && s.confirm.email === m.email;
        return (
          <li key={m.email} className="row">
            <div className="row-text">
              <span className="member-email">{m.email}</span>
              {m.email === me ? <span className="tag">You</span> : null}
              {m.status === 'pending' ? <span className="tag tag-warn">Invited</span> : null}
            </div>
            <div className="row-actions">
              {m.role === 'owner' || !owner ? (
                <span className="muted">{ROLE_LABEL[m.role]}</span>
              ) : asking ? (
                <>
                  <button
                    type="button"
                    className="danger"
                    disabled={s.busy}
                    onClick={() => void s.confirmNow()}
                  >
                    Remove {m.email}
                  </button>
                  <button type="button" onClick={() => s.ask(null)}>
                    Cancel
                  </button>
                </>
              ) : (
                <>
                  <select
                    aria-label={`Role of ${m.email}`}
                    value={m.role}
                    disabled={s.busy}
                    onChange={(e) => void s.setRole(share.ns, m.email, e.target.value as MemberRole)}
                  >
                    <option value="editor">Editor</option>
                    <option value="viewer">Viewer</option>
                  </select>
                  <button
                    type="button"
                    aria-label={`Remove ${m.email}…`}
                    onClick={() => s.ask({ kind: 'remove', ns: share.ns, email: m.email })}
                  >
                    Remove…
                  </button>
                </>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

/** The share dialog: a new folder to share, or the people of an existing share. */
function ShareDialogView() {
  const s = useScreenStore('sharing');
  const me = useApp((a) => a.status?.email ?? null);
  const d = s.dialog;
  if (!d) return null;
  const share = d.kind === 'share' ? s.shares.find((x) => x.ns === d.ns) : undefined;
  const owner = d.kind === 'new' || share?.role === 'owner';
  const leaving =
    share && (s.confirm?.kind === 'leave' || s.confirm?.kind === 'unshare') && s.confirm.ns === share.ns;
  return (
    <Modal titleId="share-dialog-title" onClose={s.closeDialog}>
      <div className="modal-head">
        <h2 id="share-dialog-title">{share ? `Share “${share.name}”` : 'Share a folder'}</h2>
        <button type="button" className="link" onClick={s.closeDialog}>
          Close
        </button>
      </div>
      {share ? (
        <p className="muted small">
          In your Cairn at <b>{share.mount_path}</b>
          {share.role === 'owner'
            ? ' · you own it'
            : ` · owned by ${share.owner_email} · you are ${share.role === 'editor' ? 'an editor' : 'a viewer'}`}
        </p>
      ) : null}
      {s.message ? <NoticeLine kind="ok">{s.message}</NoticeLine> : null}
      {s.error ? <NoticeLine kind="error">{s.error}</NoticeLine> : null}
      {d.kind === 'new' ? (
        <div className="field">
          <label htmlFor="share-path">Folder in your Cairn</label>
          <input
            id="share-path"
            type="text"
            placeholder="e.g. Projects/Team"
            value={d.path}
            onChange={(e) => s.editNewPath(e.target.value)}
            aria-describedby="share-path-hint"
            data-autofocus
          />
          <small id="share-path-hint">
            The folder as it is inside your Cairn folder. A folder inside a shared folder cannot be shared
            again.
          </small>
        </div>
      ) : null}
      {share ? (
        <>
          <h3>People with access</h3>
          <Members share={share} me={me} />
        </>
      ) : null}
      {owner ? <InviteForm autoFocus={d.kind === 'share'} /> : null}
      {share ? (
        <div className="actions modal-foot">
          {leaving ? (
            <>
              <span>
                {share.role === 'owner'
                  ? 'Everyone else loses access; their devices keep a copy. The folder stays in your Cairn.'
                  : 'This folder stops syncing here; this computer keeps a copy of its files.'}
              </span>
              <button type="button" className="danger" disabled={s.busy} onClick={() => void s.confirmNow()}>
                {share.role === 'owner' ? 'Stop sharing' : 'Leave'}
              </button>
              <button type="button" onClick={() => s.ask(null)}>
                Cancel
              </button>
            </>
          ) : (
            <button
              type="button"
              onClick={() => s.ask({ kind: share.role === 'owner' ? 'unshare' : 'leave', ns: share.ns })}
            >
              {share.role === 'owner' ? 'Stop sharing…' : 'Leave this folder…'}
            </button>
          )}
        </div>
      ) : null}
    </Modal>
  );
}

function Invitations() {
  const s = useScreenStore('sharing');
  if (s.invitations.length === 0) return null;
  return (
    <section className="card info" aria-labelledby="inv-title">
      <h2 id="inv-title">Invitations</h2>
      <ul className="plain divided" data-testid="invitations">
        {s.invitations.map((i) => (
          <li key={i.id}>
            <p>
              <b>{i.owner_email}</b> invites you to “{i.name}” as{' '}
              {i.role === 'editor' ? 'an editor' : 'a viewer'}.
            </p>
            <div className="inline-form">
              <label htmlFor={`accept-${i.id}`}>Put it in your Cairn at</label>
              <input
                id={`accept-${i.id}`}
                type="text"
                value={s.acceptPaths[i.id] ?? ''}
                onChange={(e) => s.setAcceptPath(i.id, e.target.value)}
              />
              <button
                type="button"
                className="primary"
                disabled={s.busy}
                aria-label={`Accept the invitation to “${i.name}”`}
                onClick={() => void s.accept(i.id)}
              >
                Accept
              </button>
              <button
                type="button"
                disabled={s.busy}
                aria-label={`Decline the invitation to “${i.name}”`}
                onClick={() => void s.decline(i.id)}
              >
                Decline
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function SharedFolders() {
  const s = useScreenStore('sharing');
  return (
    <section className="card" aria-labelledby="shared-title">
      <div className="card-head">
        <h2 id="shared-title">Shared folders</h2>
        <button type="button" onClick={() => s.openDialog({ kind: 'new', path: '' })}>
          Share a folder…
        </button>
      </div>
      {s.shares.length === 0 ? (
        <Empty>No shared folders yet. Share a folder to work on it together with other accounts.</Empty>
      ) : (
        <ul className="plain rows" data-testid="shares">
          {s.shares.map((sh) => {
            const people = sh.members.filter((m) => m.status === 'member').length;
            const invited = sh.members.length - people;
            return (
              <li key={sh.ns} className="row">
                <div className="row-text">
                  <span className="file-name">{sh.mount_path}</span>
                  <span className="tag">{ROLE_LABEL[sh.role]}</span>
                  <span className="muted small">
                    {sh.role === 'owner' ? '' : `shared by ${sh.owner_email} · `}
                    {people} {people === 1 ? 'person' : 'people'}
                    {invited > 0 ? `, ${invited} invited` : ''}
                  </span>
                </div>
                <div className="row-actions">
                  <button
                    type="button"
                    aria-label={`${sh.role === 'owner' ? 'Manage' : 'People in'} ${sh.mount_path}…`}
                    onClick={() => s.openDialog({ kind: 'share', ns: sh.ns })}
                  >
                    {sh.role === 'owner' ? 'Manage…' : 'People…'}
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function expiryText(l: LinkInfo): string {
  if (l.expires_at === null) return 'No expiry';
  return `${l.expired ? 'Expired' : 'Expires'} ${formatDateTime(l.expires_at)}`;
}

function LinkRow({ l }: { l: LinkInfo }) {
  const s = useScreenStore('sharing');
  const name = l.home_path ?? (l.path === null ? 'a deleted item' : 'an item not in your Cairn');
  const asking = s.confirm?.kind === 'revoke' && s.confirm.id === l.id;
  return (
    <li className="row">
      <div className="row-text">
        <span className="file-name">{name}</span>
        <span className="muted small">{expiryText(l)}</span>
        {l.has_password ? <span className="tag">Password</span> : null}
        {l.expired ? <span className="tag tag-warn">Expired</span> : null}
      </div>
      <div className="row-actions">
        {asking ? (
          <>
            <button type="button" className="danger" disabled={s.busy} onClick={() => void s.confirmNow()}>
              Revoke link
            </button>
            <button type="button" onClick={() => s.ask(null)}>
              Cancel
            </button>
          </>
        ) : (
          <>
            {l.url ? (
              <button
                type="button"
                aria-label={`Copy the link to ${name}`}
                onClick={() => void s.copy(l.url!)}
              >
                Copy link
              </button>
            ) : (
              <span className="muted small" title="The server keeps only a fingerprint of each link">
                Made elsewhere or earlier: cannot be copied
              </span>
            )}
            <button
              type="button"
              aria-label={`Revoke the link to ${name}…`}
              onClick={() => s.ask({ kind: 'revoke', id: l.id })}
            >
              Revoke…
            </button>
          </>
        )}
      </div>
    </li>
  );
}

function Links() {
  const s = useScreenStore('sharing');
  const f = s.linkForm;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void s.createLink();
  };
  return (
    <section className="card" aria-labelledby="links-title">
      <h2 id="links-title">Public links</h2>
      <p className="muted small">
        Anyone who has a link can download the file or folder, until the link expires or you revoke it.
      </p>
      <form onSubmit={onSubmit} noValidate className="link-form" aria-label="Create a link">
        <div className="field grow">
          <label htmlFor="link-path">File or folder</label>
          <input
            id="link-path"
            type="text"
            placeholder="e.g. Photos/2026 or report.pdf"
            value={f.path}
            onChange={(e) => s.editLink({ path: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="link-expiry">Expires</label>
          <select
            id="link-expiry"
            value={f.expiry}
            onChange={(e) => s.editLink({ expiry: e.target.value as Expiry })}
          >
            {EXPIRY_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="link-password">Password (optional)</label>
          <input
            id="link-password"
            type="password"
            autoComplete="new-password"
            value={f.password}
            onChange={(e) => s.editLink({ password: e.target.value })}
          />
        </div>
        <button type="submit" className="primary" disabled={s.busy}>
          Create link
        </button>
      </form>
      {s.created ? (
        <div className="inline-form created-link">
          <label htmlFor="created-url">New link</label>
          <input
            id="created-url"
            type="text"
            readOnly
            value={s.created.url}
            onFocus={(e) => e.target.select()}
          />
          <button type="button" onClick={() => void s.copy(s.created!.url)}>
            Copy
          </button>
        </div>
      ) : null}
      {s.links.length === 0 ? (
        <Empty>No public links.</Empty>
      ) : (
        <ul className="plain rows links" data-testid="links">
          {s.links.map((l) => (
            <LinkRow key={l.id} l={l} />
          ))}
        </ul>
      )}
    </section>
  );
}

export function SharingScreen() {
  const s = useScreenStore('sharing');
  const { load } = s;
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <main id="main" className="screen">
      <ScreenHeader title="Sharing">
        Share folders with other Cairn accounts so that you all keep them in sync, or make a link anyone can
        download from.
      </ScreenHeader>
      {s.dialog ? null : (
        <>
          {s.message ? <NoticeLine kind="ok">{s.message}</NoticeLine> : null}
          {s.error ? <NoticeLine kind="error">{s.error}</NoticeLine> : null}
        </>
      )}
      {s.loading && !s.loaded ? <p className="muted">Loading…</p> : null}
      <Invitations />
      <SharedFolders />
      <Links />
      <ShareDialogView />
    </main>
  );
}
