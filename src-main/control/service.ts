/**
 * The control service: implements the ControlApi (src-shared/control.ts) on top of an
 * {@link Engine}, and the one dispatcher every transport (HTTP here, Electron IPC in the
 * shell) uses: it validates the method name and the input against the schema map with a
 * compiled TypeBox validator before the engine sees anything.
 */
import { Compile } from 'typebox/compile';
import type { Validator } from 'typebox/compile';
import { CairnError } from '../../src-shared/errors.ts';
import { controlMethods, type ControlApi, type ControlEvent, type ControlMethod } from '../../src-shared/control.ts';
import type { Engine } from '../engine/index.ts';
import { Sharing } from '../engine/sharing.ts';

/**
 * One {@link Sharing} per engine, whichever transport asks (the desktop app makes one
 * ControlApi for IPC and one for HTTP over the same engine): the link URLs it remembers are
 * then the same for both.
 */
const sharingByEngine = new WeakMap<Engine, Sharing>();
function sharingOf(engine: Engine): Sharing {
  let s = sharingByEngine.get(engine);
  if (!s) {
    s = new Sharing({ client: () => engine.remote(), root: () => engine.root });
    sharingByEngine.set(engine, s);
  }
  return s;
}

/** ControlApi implemented by an engine. */
export function createControlApi(engine: Engine): ControlApi {
  const sharing = sharingOf(engine);
  return {
    status: async () => engine.status(),
    activity: async ({ limit }) => ({ items: engine.activity(limit ?? 100) }),
    link: async (i) => engine.link(i),
    logout: async () => {
      await engine.logout();
      return {};
    },
    pause: async () => engine.pause(),
    resume: async () => engine.resume(),
    ls: async ({ path }) => ({ entries: engine.ls(path ?? '') }),
    conflicts: async () => ({ conflicts: engine.conflicts() }),
    resolveConflict: async ({ path, keep }) => {
      await engine.resolveConflict(path, keep);
      return {};
    },
    history: async ({ path }) => ({ revisions: await engine.history(path) }),
    restore: async ({ path, rev }) => ({ entry: await engine.restore(path, rev) }),
    saveRevision: async ({ path, rev, dest }) => {
      await engine.saveRevision(path, rev, dest);
      return {};
    },
    deleted: async ({ path }) => ({ entries: await engine.deleted(path ?? '') }),
    undelete: async ({ path }) => ({ entry: await engine.undelete(path) }),
    remoteTree: async ({ path }) => ({ folders: engine.remoteTree(path ?? '') }),
    excludeList: async () => ({ excluded: engine.excludeList() }),
    excludePreview: async ({ paths }) => engine.excludePreview(paths),
    excludeAdd: async ({ path }) => ({ excluded: engine.excludeAdd(path) }),
    excludeRemove: async ({ path }) => ({ excluded: engine.excludeRemove(path) }),
    confirmDeletes: async () => engine.confirmDeletes(),
    rejectDeletes: async () => engine.rejectDeletes(),
    getSettings: async () => engine.getSettings(),
    setSettings: async (patch) => engine.setSettings(patch),
    account: async () => engine.account(),
    devices: async () => ({ devices: await engine.devices() }),
    revokeDevice: async ({ id }) => {
      await engine.revokeDevice(id);
      return {};
    },
    pickFolder: async () => {
      // Only the desktop shell has a native dialog; it answers this method before it gets here.
      throw new CairnError('unsupported', 'there is no folder dialog in browser mode: type the folder path');
    },
    shares: () => sharing.shares(),
    shareAdd: (i) => sharing.shareAdd(i),
    shareSetRole: (i) => sharing.shareSetRole(i),
    shareRemove: (i) => sharing.shareRemove(i),
    shareLeave: (i) => sharing.shareLeave(i),
    shareUnshare: (i) => sharing.shareUnshare(i),
    shareAccept: (i) => sharing.shareAccept(i),
    shareDecline: (i) => sharing.shareDecline(i),
    links: () => sharing.links(),
    linkCreate: (i) => sharing.linkCreate(i),
    linkRevoke: (i) => sharing.linkRevoke(i),
    waitIdle: async ({ timeout_ms }) => {
      const idle = await engine.waitIdle(timeout_ms ?? 60_000);
      return { idle, status: engine.status() };
    },
  };
}

const validators = new Map<string, Validator>();
for (const [name, def] of Object.entries(controlMethods)) validators.set(name, Compile(def.input) as unknown as Validator);

/** True when `name` is a control method. */
export function isControlMethod(name: string): name is ControlMethod {
  return Object.hasOwn(controlMethods, name);
}

/**
 * Validates and dispatches one call. Input `undefined`/`null` counts as `{}`.
 * @throws CairnError `bad_request` for an unknown method or input that fails its schema
 *   (nothing reaches the engine then); the engine's own CairnErrors otherwise.
 */
export async function dispatch(api: ControlApi, method: string, input: unknown): Promise<unknown> {
  if (!isControlMethod(method)) throw new CairnError('bad_request', `unknown control method: ${method}`);
  const v = validators.get(method) as Validator;
  const value = input ?? {};
  if (!v.Check(value)) {
    const first = v.Errors(value)[0] as { instancePath?: string; message?: string } | undefined;
    throw new CairnError('bad_request', `invalid input for ${method}: ${first?.instancePath || '/'} ${first?.message ?? ''}`.trim());
  }
  const fn = api[method] as (i: unknown) => Promise<unknown>;
  try {
    return await fn(value);
  } catch (e) {
    if (e instanceof CairnError) throw e;
    throw new CairnError('internal', e instanceof Error ? e.message : String(e));
  }
}

/** Subscribes `cb` to an engine's control events; returns the unsubscribe function. */
export function onControlEvents(engine: Engine, cb: (e: ControlEvent) => void): () => void {
  const st = (status: ControlEvent & { type: 'status' } extends { status: infer S } ? S : never): void => cb({ type: 'status', status });
  const act = (item: ControlEvent & { type: 'activity' } extends { item: infer I } ? I : never): void => cb({ type: 'activity', item });
  engine.on('status', st);
  engine.on('activity', act);
  return () => {
    engine.off('status', st);
    engine.off('activity', act);
  };
}
