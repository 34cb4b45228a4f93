/**
 * Selective sync: the server's folder tree with a checkbox per folder (checked = kept on
 * this computer) and its size. Applying an exclusion first shows what will be removed
 * locally and asks.
 */
import { useEffect } from 'react';
import { baseName, formatBytes } from '../store/format.ts';
import { diffExcluded, folderState } from '../store/selective.ts';
import { useScreenStore } from '../stores-context.tsx';
import { Empty, NoticeLine, ScreenHeader } from '../ui/bits.tsx';

function Folder({ path, depth }: { path: string; depth: number }) {
  const s = useScreenStore('selective');
  const node = s.nodes[path];
  if (!node) return null;
  const { kept, locked } = folderState(path, s.excluded);
  const open = !!s.expanded[path];
  const kids = s.children[path];
  const id = `sel-${encodeURIComponent(path)}`;
  return (
    <li>
      <div className="tree-row">
        {kids && kids.length === 0 ? (
          <span className="twisty" aria-hidden="true" />
        ) : (
          <button
            type="button"
            className="twisty"
            aria-label={`${open ? 'Collapse' : 'Expand'} ${baseName(path)}`}
            onClick={() => void s.toggleExpand(path)}
          >
            {open ? '▾' : '▸'}
          </button>
        )}
        <input
          id={id}
          type="checkbox"
          checked={kept}
          disabled={locked || s.phase !== 'edit'}
          onChange={(e) => s.setKept(path, e.target.checked)}
        />
        <label htmlFor={id}>{baseName(path)}</label>
        <span className="muted small size">
          {formatBytes(node.size)} · {node.files.toLocaleString()} file{node.files === 1 ? '' : 's'}
        </span>
      </div>
      {open && kids && kids.length > 0 ? (
        <ul>
          {kids.map((k) => (
            <Folder key={k} path={k} depth={depth + 1} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

export function SelectiveScreen() {
  const s = useScreenStore('selective');
  const { load } = s;
  useEffect(() => {
    void load();
  }, [load]);
  const { add, remove } = diffExcluded(s.saved, s.excluded);
  const changed = add.length + remove.length > 0;
  const roots = s.children[''] ?? [];
  return (
    <main id="main" className="screen">
      <ScreenHeader title="Selective sync">
        Choose which folders this computer keeps. Unchecked folders stay on the server and your other devices,
        but are removed from this computer.
      </ScreenHeader>
      {s.message ? <NoticeLine kind="ok">{s.message}</NoticeLine> : null}
      {s.error ? <NoticeLine kind="error">{s.error}</NoticeLine> : null}
      <section className="card">
        {s.loading ? <p className="muted">Loading folders…</p> : null}
        {!s.loading && roots.length === 0 && !s.error ? (
          <Empty>There are no folders in your Cairn yet.</Empty>
        ) : null}
        <ul className="tree" aria-label="Folders on the server" data-testid="tree">
          {roots.map((p) => (
            <Folder key={p} path={p} depth={0} />
          ))}
        </ul>
      </section>
      {s.phase === 'confirm' && s.preview ? (
        <section
          className="card warn"
          role="alertdialog"
          aria-labelledby="sel-confirm-title"
          aria-describedby="sel-confirm-body"
        >
          <h2 id="sel-confirm-title">
            Remove {add.length === 1 ? `“${baseName(add[0]!)}”` : `${add.length} folders`} from this computer?
          </h2>
          <div id="sel-confirm-body">
            <p>
              {s.preview.files.toLocaleString()} file{s.preview.files === 1 ? '' : 's'} (
              {formatBytes(s.preview.bytes)}) will be removed from this computer. They stay on the server and
              on your other devices.
            </p>
            {s.preview.unsynced > 0 ? (
              <p>
                {s.preview.unsynced.toLocaleString()} of them {s.preview.unsynced === 1 ? 'has' : 'have'}{' '}
                changes not uploaded yet: Cairn uploads them first and removes them only after.
              </p>
            ) : null}
          </div>
          <div className="actions">
            <button type="button" className="danger" autoFocus onClick={() => void s.confirm()}>
              Remove from this computer
            </button>
            <button type="button" onClick={s.cancel}>
              Cancel
            </button>
          </div>
        </section>
      ) : (
        <div className="actions sticky-actions">
          <span className="muted small">
            {changed ? `${add.length} to remove, ${remove.length} to download` : 'No changes'}
          </span>
          <span className="spacer" />
          <button type="button" disabled={!changed || s.phase !== 'edit'} onClick={s.reset}>
            Undo changes
          </button>
          <button
            type="button"
            className="primary"
            disabled={!changed || s.phase !== 'edit'}
            onClick={() => void s.apply()}
          >
            {s.phase === 'previewing' ? 'Checking…' : s.phase === 'applying' ? 'Applying…' : 'Apply'}
          </button>
        </div>
      )}
    </main>
  );
}
