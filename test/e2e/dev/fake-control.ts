/**
 * DEV ONLY: a fake control server for iterating on the UI layout before (or without) the
 * real engine. It serves src-renderer/dist and answers `/control/*` from canned data. The
 * e2e tests never use it; run `node test/e2e/dev/fake-control.ts` and open the printed URL,
 * or `node test/e2e/dev/shots.ts` for screenshots of every screen.
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ControlEvent, Status } from '../../../src-shared/control.ts';

const dist = path.resolve(import.meta.dirname, '../../../src-renderer/dist');
const now = Date.now();
const min = 60_000;

/** Starts the fake; `state` picks the initial engine state. */
export async function startFakeControl(opts: { state?: Status['state']; secret?: string } = {}) {
  const secret = opts.secret ?? 'dev-secret';
  let status: Status = {
    state: opts.state ?? 'syncing',
    server: 'https://cairn.example.org',
    email: 'ada@example.org',
    device_name: 'Ada’s laptop',
    folder: '/home/ada/Cairn',
    pending: { uploads: 3, downloads: 12, other: 1, bytes: 48_000_000 },
    progress: { done_bytes: 31_000_000, total_bytes: 79_000_000, eta_ms: 95_000 },
    held_deletes:
      opts.state === 'held'
        ? {
            side: 'local',
            count: 1843,
            sample: ['Photos/2019/IMG_0001.jpg', 'Photos/2019/IMG_0002.jpg', 'Photos/2019/IMG_0003.jpg'],
          }
        : null,
    error: null,
    issues: [
      {
        path: 'Projects/notes/aux.txt',
        code: 'path_invalid',
        message: 'Windows cannot hold a file named “aux.txt”.',
        action: 'Rename the file on another device.',
        since: now - 5 * min,
      },
      {
        path: 'Projects/link-to-home',
        code: 'symlink',
        message: 'This is a symbolic link; Cairn does not follow links.',
        action: 'Move the real folder into Cairn, or ignore the link.',
        since: now - 40 * min,
      },
    ],
    conflicts: 1,
    last_synced_at: now - 3 * min,
  };
  const activity = [
    {
      id: 5,
      time: now - 20_000,
      path: 'Projects/report.docx',
      action: 'uploaded',
      device_name: 'Ada’s laptop',
      detail: null,
    },
    {
      id: 4,
      time: now - 4 * min,
      path: 'Photos/2024/beach.jpg',
      action: 'downloaded',
      device_name: 'Desktop',
      detail: null,
    },
    {
      id: 3,
      time: now - 30 * min,
      path: 'Budget (conflicted copy from Desktop 2026-11-21).xlsx',
      action: 'conflict',
      device_name: 'Desktop',
      detail: 'Edited on two devices at once',
    },
    {
      id: 2,
      time: now - 2 * 3_600_000,
      path: 'old/draft.txt',
      action: 'deleted_remote',
      device_name: 'Phone',
      detail: null,
    },
  ];
  let conflicts = [
    {
      path: 'Budget (conflicted copy from Desktop 2026-11-21).xlsx',
      original: 'Budget.xlsx',
      size: 24_576,
      mtime: now - 31 * min,
      original_size: 23_100,
      original_mtime: now - 35 * min,
      device_name: 'Desktop',
      original_device_name: 'Laptop',
    },
  ];
  const rev = (r: string, ago: number, size: number, dev: string, current = false) => ({
    rev: r,
    path: 'Projects/report.docx',
    size,
    mtime: now - ago,
    content_hash: 'a'.repeat(64),
    blocks: [],
    executable: false,
    server_time: now - ago,
    device_id: 'd1',
    device_name: dev,
    current,
  });
  let excluded = ['Archive'];
  const events = new Set<http.ServerResponse>();
  const push = (ev: ControlEvent) => {
    for (const r of events) r.write(`data: ${JSON.stringify(ev)}\n\n`);
  };
  const handlers: Record<string, (i: Record<string, unknown>) => unknown> = {
    status: () => status,
    activity: () => ({ items: activity }),
    link: () => ((status = { ...status, state: 'idle' }), status),
    pause: () => ((status = { ...status, state: 'paused' }), push({ type: 'status', status }), status),
    resume: () => ((status = { ...status, state: 'syncing' }), push({ type: 'status', status }), status),
    conflicts: () => ({ conflicts }),
    resolveConflict: (i) => ((conflicts = conflicts.filter((c) => c.path !== i.path)), {}),
    ls: (i) => ({
      entries: i.path
        ? [{ path: `${i.path}/report.docx`, kind: 'file', size: 48_213, mtime: now, state: 'synced' }]
        : [
            { path: 'Projects', kind: 'folder', size: 0, mtime: now, state: 'synced' },
            { path: 'Photos', kind: 'folder', size: 0, mtime: now, state: 'synced' },
            { path: 'Budget.xlsx', kind: 'file', size: 23_100, mtime: now, state: 'synced' },
            { path: 'todo.md', kind: 'file', size: 812, mtime: now, state: 'pending' },
          ],
    }),
    history: () => ({
      revisions: [
        rev('r3', 20_000, 48_213, 'Ada’s laptop', true),
        rev('r2', 3 * 3_600_000, 47_002, 'Desktop'),
        rev('r1', 3 * 86_400_000, 12_880, 'Ada’s laptop'),
      ],
    }),
    restore: () => ({ entry: {} }),
    saveRevision: () => ({}),
    deleted: () => ({
      entries: [
        {
          ns: 'n',
          id: 'e1',
          path: 'old/draft.txt',
          kind: 'file',
          rev: 'r',
          size: 2_048,
          mtime: now,
          content_hash: null,
          blocks: [],
          executable: false,
          deleted: true,
          portable: true,
          seq: 9,
          server_time: now - 2 * 3_600_000,
          device_id: 'd3',
          device_name: 'Phone',
        },
        {
          ns: 'n',
          id: 'e2',
          path: 'Scans',
          kind: 'folder',
          rev: null,
          size: 0,
          mtime: now,
          content_hash: null,
          blocks: [],
          executable: false,
          deleted: true,
          portable: true,
          seq: 7,
          server_time: now - 4 * 86_400_000,
          device_id: 'd1',
          device_name: 'Desktop',
        },
      ],
    }),
    undelete: () => ({ entry: {} }),
    remoteTree: (i) => ({
      folders:
        i.path === 'Photos'
          ? [
              { path: 'Photos/2023', size: 2_100_000_000, files: 1204, excluded: false },
              { path: 'Photos/2024', size: 1_300_000_000, files: 822, excluded: false },
            ]
          : i.path
            ? []
            : [
                { path: 'Archive', size: 9_800_000_000, files: 5310, excluded: true },
                { path: 'Photos', size: 3_400_000_000, files: 2026, excluded: false },
                { path: 'Projects', size: 88_000_000, files: 341, excluded: false },
              ],
    }),
    excludeList: () => ({ excluded }),
    excludePreview: () => ({ files: 1204, bytes: 2_100_000_000, unsynced: 2 }),
    excludeAdd: (i) => ((excluded = [...excluded, String(i.path)]), { excluded }),
    excludeRemove: (i) => ((excluded = excluded.filter((p) => p !== i.path)), { excluded }),
    confirmDeletes: () => ((status = { ...status, state: 'syncing', held_deletes: null }), status),
    rejectDeletes: () => ((status = { ...status, state: 'syncing', held_deletes: null }), status),
    getSettings: () => ({
      upload_limit_bps: 0,
      download_limit_bps: 512 * 1024,
      start_at_login: true,
      ignore_rules: '*.tmp\nnode_modules/\n',
    }),
    setSettings: (i) => ({
      upload_limit_bps: 0,
      download_limit_bps: 512 * 1024,
      start_at_login: true,
      ignore_rules: '',
      ...i,
    }),
    account: () => ({
      account_id: 'a1',
      email: 'ada@example.org',
      home_ns: 'n',
      quota_bytes: 50 * 1024 ** 3,
      used_bytes: 13.3 * 1024 ** 3,
      namespaces: [],
    }),
    devices: () => ({
      devices: [
        {
          id: 'd0',
          name: 'Ada’s laptop',
          created_at: now - 90 * 86_400_000,
          last_seen_at: now,
          current: true,
        },
        {
          id: 'd1',
          name: 'Desktop',
          created_at: now - 200 * 86_400_000,
          last_seen_at: now - 30 * min,
          current: false,
        },
        {
          id: 'd3',
          name: 'Phone',
          created_at: now - 20 * 86_400_000,
          last_seen_at: now - 6 * 86_400_000,
          current: false,
        },
      ],
    }),
    revokeDevice: () => ({}),
    shares: () => ({
      shares: [
        {
          ns: 'ns_team',
          name: 'Team',
          owner_email: 'ada@example.org',
          role: 'owner',
          mount_path: 'Projects/Team',
          members: [
            {
              account_id: 'a1',
              email: 'ada@example.org',
              role: 'owner',
              status: 'member',
              invitation_id: null,
            },
            {
              account_id: 'a2',
              email: 'grace@example.org',
              role: 'editor',
              status: 'member',
              invitation_id: null,
            },
            {
              account_id: null,
              email: 'alan@example.org',
              role: 'viewer',
              status: 'pending',
              invitation_id: 'i9',
            },
          ],
        },
      ],
      invitations: [
        {
          id: 'inv1',
          ns: 'ns_x',
          name: 'Lab notes',
          owner_email: 'grace@example.org',
          role: 'editor',
          created_at: now - 90 * min,
        },
      ],
    }),
    links: () => ({
      links: [
        {
          id: 'L1',
          ns: 'ns_home',
          path: 'Projects/report.docx',
          kind: 'file',
          created_at: now - 60 * min,
          expires_at: now + 7 * 24 * 60 * min,
          has_password: true,
          expired: false,
          home_path: 'Projects/report.docx',
          url: 'https://cairn.example.org/s/cairn_l_example',
        },
      ],
    }),
  };
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/control/')) {
      if (req.headers.authorization !== `Bearer ${secret}`) {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'unauthorized', message: 'bad secret' } }));
        return;
      }
      if (url.pathname === '/control/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
        res.write(': hello\n\n');
        events.add(res);
        req.on('close', () => events.delete(res));
        return;
      }
      let body = '';
      for await (const c of req) body += c;
      const h = handlers[url.pathname.slice('/control/'.length)];
      if (!h) {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'bad_request', message: 'unknown method' } }));
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(h(body ? JSON.parse(body) : {})));
      return;
    }
    const file = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const full = path.join(dist, path.normalize(file));
    if (!full.startsWith(dist)) return void res.writeHead(404).end();
    try {
      const data = await readFile(full);
      const type = full.endsWith('.js')
        ? 'text/javascript'
        : full.endsWith('.css')
          ? 'text/css'
          : full.endsWith('.html')
            ? 'text/html'
            : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(data);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/#secret=${secret}`,
    close: () => {
      for (const r of events) r.end();
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

if (import.meta.main) {
  const f = await startFakeControl({ state: (process.argv[2] as Status['state']) ?? 'syncing' });
  process.stdout.write(`${f.url}\n`);
}
