/**
 * The mount table: which shared namespaces appear where in this device's view of the
 * account, and with which role. The engine keeps ONE path space — the view, rooted at the
 * sync root, equal to the home namespace with every shared namespace grafted at its mount
 * point (ARCHITECTURE.md §2, D22) — and translates at the edge: a view path becomes
 * (namespace, namespace-relative path) for a server call, and a server entry's path becomes
 * a view path before it reaches the remote tree. The three trees, the planner and the
 * scanner therefore never see namespaces, only `nsOf` / `isReadOnly` predicates.
 *
 * A mount point folder itself belongs to the home namespace (it is a home entry); only the
 * paths strictly inside it belong to the shared namespace. Stored in the state DB's meta
 * (`mount_table`); pure logic otherwise. May import: src-shared.
 */
import type { Entry, Role } from '../../src-shared/protocol/model.ts';
import { CairnError } from '../../src-shared/errors.ts';
import { isInside, joinPath } from '../../src-shared/paths.ts';

/** One shared namespace mounted in the view. */
export interface Mount {
  /** The shared namespace's id. */
  ns: string;
  /** View path of the mount point (a folder of the home namespace), never `''`. */
  path: string;
  /** This account's role in `ns`. */
  role: Role;
}

/** Where a view path lives on the server. */
export interface Location {
  ns: string;
  /** Path inside `ns` (`''` = the namespace's root). */
  path: string;
  /** The mount it lies strictly inside, or null for the home namespace. */
  mount: Mount | null;
}

/** Immutable lookup over a set of mounts. Deepest mount wins (mounts never nest, D22). */
export class MountTable {
  readonly homeNs: string;
  readonly mounts: readonly Mount[];

  constructor(homeNs: string, mounts: readonly Mount[]) {
    this.homeNs = homeNs;
    // Longest path first, so the first match is the innermost.
    this.mounts = [...mounts].sort((a, b) => b.path.length - a.path.length);
  }

  /** The mount `viewPath` lies strictly inside, or null. */
  mountOf(viewPath: string): Mount | null {
    for (const m of this.mounts) if (viewPath !== m.path && isInside(viewPath, m.path)) return m;
    return null;
  }

  /** The mount whose mount point is exactly `viewPath`, or null. */
  mountAt(viewPath: string): Mount | null {
    return this.mounts.find((m) => m.path === viewPath) ?? null;
  }

  /** Mounts at or below `viewPath` (a folder move or delete there carries them along). */
  mountsUnder(viewPath: string): Mount[] {
    return this.mounts.filter((m) => isInside(m.path, viewPath));
  }

  /** The mount of namespace `ns`, or null when it is not mounted here. */
  byNs(ns: string): Mount | null {
    return this.mounts.find((m) => m.ns === ns) ?? null;
  }

  /** Server location of a view path. */
  locate(viewPath: string): Location {
    const m = this.mountOf(viewPath);
    if (!m) return { ns: this.homeNs, path: viewPath, mount: null };
    return { ns: m.ns, path: viewPath.slice(m.path.length + 1), mount: m };
  }

  /** Namespace a write at `viewPath` goes to: a move is only a server move within one. */
  nsOf(viewPath: string): string {
    return this.mountOf(viewPath)?.ns ?? this.homeNs;
  }

  /** True inside a namespace where this account is a viewer: nothing there is uploaded. */
  isReadOnly(viewPath: string): boolean {
    return this.mountOf(viewPath)?.role === 'viewer';
  }

  /** View path of `nsPath` in namespace `ns`, or null when `ns` is not mounted here. */
  toView(ns: string, nsPath: string): string | null {
    if (ns === this.homeNs) return nsPath;
    const m = this.byNs(ns);
    if (!m) return null;
    return nsPath === '' ? m.path : joinPath(m.path, nsPath);
  }

  /** `e` with its path as a view path. @throws CairnError `not_found` when `e.ns` is not mounted here (any more). */
  entryToView(e: Entry): Entry {
    const p = this.toView(e.ns, e.path);
    if (p === null) throw new CairnError('not_found', `the shared folder of ${e.path} is no longer mounted here`);
    return p === e.path ? e : { ...e, path: p };
  }

  /** A table with `m` added or updated (same ns: new path or role). */
  with(m: Mount): MountTable {
    return new MountTable(this.homeNs, [...this.mounts.filter((x) => x.ns !== m.ns), m]);
  }

  /** A table without namespace `ns`. */
  without(ns: string): MountTable {
    return new MountTable(this.homeNs, this.mounts.filter((x) => x.ns !== ns));
  }

  /** A table where mount points at or below `from` moved to lie below `to` (a home folder move). */
  moved(from: string, to: string): MountTable {
    return new MountTable(
      this.homeNs,
      this.mounts.map((m) => (isInside(m.path, from) ? { ...m, path: m.path === from ? to : joinPath(to, m.path.slice(from.length + 1)) } : m)),
    );
  }
}
