/**
 * End-to-end: the UI in Debian's Chromium against a real server and real engines in browser
 * (headless) mode. Covers first run, watching a file sync, settling a conflict, restoring a
 * revision (and saving an old one elsewhere), restoring a deleted file, excluding a folder,
 * a held mass delete, keyboard navigation, a stale link, preferences — and the Electron path
 * (the UI over the shell's real IPC layer). Screenshots of each screen go to
 * test-results/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { ControlApi } from '../../src-shared/control.ts';
import { Engine, link } from '../../src-main/engine/index.ts';
import {
  createControlApi,
  onControlEvents,
  serveEngine,
  type ControlServer,
} from '../../src-main/control/index.ts';
import { forwardEvents, registerControlIpc, type IpcReply } from '../../src-main/shell/ipc.ts';
import { isAppUrl } from '../../src-main/shell/security.ts';
import type { ShellControl } from '../../src-main/shell/control-port.ts';
import { hasChromium } from './browser.ts';
import { cairn, cairnOk, pageErrors, shot, trackErrors, World, type Device } from './world.ts';

const skip = !hasChromium;
const why = 'no Chromium at /usr/bin/chromium (apt install chromium, or set CAIRN_CHROMIUM)';

let world: World;
let laptop: Device;
let desktop: Device;
let page: Page;
let engine: Engine;
let ipcServer: ControlServer;
let ipcPage: Page;
let ipcFolder: string;

type Handler = (
  event: { senderFrame: { url: string } },
  method: unknown,
  input: unknown,
) => Promise<IpcReply>;

const nav = (p: Page) => p.getByRole('navigation', { name: 'Cairn' });

/**
 * A page that talks to `engine` the way the desktop app's window does, without Electron: a
 * `window.cairn` shaped like the preload's, whose calls go through the shell's real IPC
 * handler (with the shell's own methods, e.g. a stand-in folder dialog) and whose events come
 * from the shell's real `forwardEvents`. The engine's HTTP server only serves the built
 * renderer files here; the page gets no secret.
 */
async function electronPage(
  eng: Engine,
  shellMethods: Partial<ControlApi> = {},
): Promise<{ page: Page; server: ControlServer }> {
  const control: ShellControl = {
    api: createControlApi(eng),
    subscribe: (cb) => onControlEvents(eng, cb),
    stop: () => eng.stop(),
  };
  let handler: Handler | null = null;
  registerControlIpc(
    { handle: (_c: string, h: Handler) => void (handler = h), removeHandler: () => {} } as never,
    control,
    { isTrustedSender: isAppUrl, shellMethods },
  );
  const server = await serveEngine(eng, { uiDir: world.uiDir });
  const page = trackErrors(await world.browser.newPage({ viewport: { width: 1000, height: 760 } }));
  await page.exposeFunction('__cairnInvoke', (method: unknown, input: unknown) =>
    handler!({ senderFrame: { url: 'app://cairn/index.html' } }, method, input),
  );
  await page.addInitScript(() => {
    const subs = new Set<(e: unknown) => void>();
    const w = window as unknown as Record<string, unknown>;
    w.__cairnEmit = (e: unknown) => subs.forEach((cb) => cb(e));
    // Same shape as src-main/shell/preload.ts exposes.
    w.cairn = {
      call: (method: string, input: unknown) =>
        (w.__cairnInvoke as (m: string, i: unknown) => Promise<unknown>)(String(method), input),
      onEvent: (cb: (e: unknown) => void) => (subs.add(cb), () => void subs.delete(cb)),
    };
  });
  forwardEvents(control, {
    send: (_channel: string, event: unknown) =>
      void page
        .evaluate((e) => (window as unknown as { __cairnEmit(e: unknown): void }).__cairnEmit(e), event)
        .catch(() => undefined),
    isDestroyed: () => page.isClosed(),
  } as never);
  await page.goto(`${server.url}/`);
  return { page, server };
}

describe.skipIf(skip)(
  `Cairn UI in Chromium against the real engine${skip ? ` (skipped: ${why})` : ''}`,
  () => {
    beforeAll(async () => {
      // Always test the current renderer source: World.create builds it into its temp folder
      // (as `npm run build:ui` builds it), and every engine here serves that build.
      world = await World.create();
    }, 180_000);

    afterAll(async () => {
      await world?.close();
    }, 120_000);

    // One scenario on one pair of linked devices (laptop, desktop) and one open page of the
    // laptop's UI, all made in beforeAll. The tests run in file order (vitest's default; none
    // is concurrent) and see each other's files, but each sets up what it checks itself, so
    // any one of them also runs alone: `npx vitest run test/e2e -t 'restoring a deleted file'`.
    describe('browser mode (cairn open)', () => {
      beforeAll(async () => {
        laptop = await world.device('laptop');
        desktop = await world.device('desktop');
        page = await world.open(laptop);
        await page.getByRole('heading', { name: 'Status' }).waitFor();
      }, 120_000);

      it('first run: signs up, chooses the folder and starts syncing', async () => {
        // `cairn start` needs a linked device, so the setup-state engine runs in-process here,
        // served by the same control transport `cairn start` uses.
        const home = path.join(world.tmp, 'home-first');
        const folder = path.join(world.tmp, 'folder-first');
        await mkdir(folder, { recursive: true });
        await writeFile(path.join(folder, 'already-here.txt'), 'kept and merged');
        const engine = new Engine({ home, pollMs: 60_000 });
        await engine.start();
        const srv = await serveEngine(engine, { uiDir: world.uiDir });
        const p = trackErrors(await world.browser.newPage({ viewport: { width: 1000, height: 840 } }));
        try {
          await p.goto(srv.uiUrl);
          await expect.poll(() => p.url()).not.toContain('secret=');
          await p.getByRole('heading', { name: 'Welcome to Cairn' }).waitFor();
          await p.getByLabel('Server address').fill(world.serverUrl);
          await p.getByLabel('Email').fill(`first-${world.email}`);
          await p.getByLabel('Password').fill('short');
          await p.getByLabel('Name of this computer').fill('Studio');
          await p.getByLabel('Cairn folder on this computer').fill(folder);
          // A browser has no folder dialog: the path is typed, and no "Choose…" is offered.
          expect(await p.getByRole('button', { name: 'Choose…' }).count()).toBe(0);
          await p.getByRole('button', { name: 'Create account and start' }).click();
          await p.getByRole('alert').filter({ hasText: 'at least 8 characters' }).waitFor();
          await p.getByLabel('Password').fill(world.password);
          await shot(p, '01-first-run');
          await p.getByRole('button', { name: 'Create account and start' }).click();
          await p.getByRole('heading', { name: 'Status' }).waitFor();
          await expect
            .poll(() => p.getByTestId('state').first().textContent(), { timeout: 30_000 })
            .toBe('Up to date');
          await p.getByTestId('activity').getByText('already-here.txt').waitFor();
          expect(engine.credentials?.device_name).toBe('Studio');
          await shot(p, '02-status-after-first-run');
          expect(pageErrors(p)).toEqual([]);
        } finally {
          await p.close();
          await srv.close();
          await engine.stop();
        }
      });

      it('watching a file sync: a file made on another device shows up live', async () => {
        await nav(page).getByRole('button', { name: 'Status' }).click();
        await writeFile(path.join(desktop.folder, 'hello from desktop.txt'), 'hi');
        // No reload: the activity arrives over the event stream.
        await page
          .getByTestId('activity')
          .getByRole('button', { name: 'hello from desktop.txt' })
          .waitFor({ timeout: 30_000 });
        await expect
          .poll(() => page.getByTestId('state').first().textContent(), { timeout: 30_000 })
          .toBe('Up to date');
        await expect
          .poll(() => readFile(path.join(laptop.folder, 'hello from desktop.txt'), 'utf8').catch(() => null))
          .toBe('hi');
        await shot(page, '03-status-file-synced');
      });

      it('settling a conflict: pause, edit on both devices, keep the copy from laptop', async () => {
        await writeFile(path.join(desktop.folder, 'plan.txt'), 'v0');
        await world.idle(desktop);
        await world.idle(laptop);
        await page.getByRole('button', { name: 'Pause syncing' }).click();
        await expect.poll(() => page.getByTestId('state').first().textContent()).toBe('Paused');
        await shot(page, '04-status-paused');
        await writeFile(path.join(laptop.folder, 'plan.txt'), 'laptop edit');
        await writeFile(path.join(desktop.folder, 'plan.txt'), 'desktop edit');
        await world.idle(desktop);
        await page.getByRole('button', { name: 'Resume syncing' }).click();
        await world.idle(laptop);
        await nav(page)
          .getByRole('button', { name: /Conflicts/ })
          .click();
        const card = page.getByTestId('conflict').filter({ hasText: 'plan.txt' });
        await card.waitFor({ timeout: 30_000 });
        const copy = (await readdir(laptop.folder)).find((n) => n.startsWith('plan (conflicted copy'));
        expect(copy).toBeDefined();
        await card.getByText(copy!).first().waitFor();
        await card.getByRole('button', { name: 'Open both' }).click();
        await card.getByText(path.join(laptop.folder, copy!)).waitFor();
        // Both sides name their device: the copy is the laptop's edit, the original the desktop's.
        expect(copy).toContain('from laptop');
        await card.locator('.side').first().getByText('desktop', { exact: true }).waitFor();
        await card.locator('.side').nth(1).getByText('laptop', { exact: true }).waitFor();
        await shot(page, '05-conflicts');
        const copyText = await readFile(path.join(laptop.folder, copy!), 'utf8');
        expect(copyText).toBe('laptop edit');
        await card.getByRole('button', { name: 'Keep the original' }).waitFor();
        await card.getByRole('button', { name: 'Keep the copy from laptop' }).click();
        await card.waitFor({ state: 'detached' });
        await world.idle(laptop);
        await world.idle(desktop);
        expect(await readFile(path.join(laptop.folder, 'plan.txt'), 'utf8')).toBe(copyText);
        expect(existsSync(path.join(laptop.folder, copy!))).toBe(false);
        await expect.poll(() => readFile(path.join(desktop.folder, 'plan.txt'), 'utf8')).toBe(copyText);
        await page.getByText('No conflicts.').waitFor();
      });

      it('restoring a revision, and saving an old one elsewhere', async () => {
        const file = path.join(laptop.folder, 'notes.txt');
        await writeFile(file, 'first draft');
        await world.idle(laptop);
        await writeFile(file, 'second draft, longer');
        await world.idle(laptop);
        await nav(page).getByRole('button', { name: 'Version history' }).click();
        await page.getByTestId('files').getByRole('button', { name: 'notes.txt' }).click();
        const revs = page.getByTestId('revisions').locator('li');
        await expect.poll(() => revs.count()).toBe(2);
        await revs.first().getByText('Current').waitFor();
        const old = revs.nth(1);
        await old.getByRole('button', { name: 'Save a copy…' }).click();
        const dest = path.join(world.tmp, 'saved', 'notes (old).txt');
        await mkdir(path.dirname(dest), { recursive: true });
        await old.getByLabel('Save this version as').fill(dest);
        await shot(page, '06-history');
        await old.getByRole('button', { name: 'Save', exact: true }).click();
        await page.getByText(`Saved a copy to ${dest}.`).waitFor();
        expect(await readFile(dest, 'utf8')).toBe('first draft');
        await old.getByRole('button', { name: /^Restore/ }).click();
        await page.getByText('Restored.').waitFor();
        await expect.poll(() => revs.count()).toBe(3);
        await world.idle(laptop);
        await expect.poll(() => readFile(file, 'utf8')).toBe('first draft');
        await shot(page, '07-history-restored');
      });

      it('restoring a deleted file', async () => {
        await writeFile(path.join(desktop.folder, 'old-report.txt'), 'quarterly');
        await world.idle(desktop);
        await world.idle(laptop);
        await rm(path.join(desktop.folder, 'old-report.txt'));
        await world.idle(desktop);
        await world.idle(laptop);
        expect(existsSync(path.join(laptop.folder, 'old-report.txt'))).toBe(false);
        await nav(page).getByRole('button', { name: 'Deleted files' }).click();
        const row = page.getByTestId('deleted').locator('li').filter({ hasText: 'old-report.txt' });
        await row.waitFor();
        await shot(page, '08-deleted');
        await row.getByRole('button', { name: 'Restore old-report.txt' }).click();
        await page.getByText('Restored old-report.txt.').waitFor();
        await world.idle(laptop);
        await expect
          .poll(() => readFile(path.join(laptop.folder, 'old-report.txt'), 'utf8').catch(() => null), {
            timeout: 20_000,
          })
          .toBe('quarterly');
      });

      it('excluding a folder: shows what will be removed, asks, then removes it here only', async () => {
        await mkdir(path.join(desktop.folder, 'Photos'), { recursive: true });
        await writeFile(path.join(desktop.folder, 'Photos', 'a.jpg'), 'aaaa');
        await writeFile(path.join(desktop.folder, 'Photos', 'b.jpg'), 'bbbbbb');
        await world.idle(desktop);
        await world.idle(laptop);
        expect(existsSync(path.join(laptop.folder, 'Photos', 'b.jpg'))).toBe(true);
        await nav(page).getByRole('button', { name: 'Selective sync' }).click();
        const box = page.getByRole('checkbox', { name: 'Photos' });
        await box.waitFor();
        expect(await box.isChecked()).toBe(true);
        await box.uncheck();
        await page.getByRole('button', { name: 'Apply' }).click();
        const dialog = page.getByRole('alertdialog');
        await dialog.getByText('2 files (10 B) will be removed from this computer').waitFor();
        await shot(page, '09-selective-sync-confirm');
        // Nothing happens before the user confirms.
        expect(existsSync(path.join(laptop.folder, 'Photos', 'a.jpg'))).toBe(true);
        await dialog.getByRole('button', { name: 'Remove from this computer' }).click();
        await page.getByText(/Saved: 1 folder will no longer be kept/).waitFor();
        await expect
          .poll(() => existsSync(path.join(laptop.folder, 'Photos')), { timeout: 30_000 })
          .toBe(false);
        expect(existsSync(path.join(desktop.folder, 'Photos', 'a.jpg'))).toBe(true);
        expect((await cairnOk(laptop.home, ['exclude', 'list'])).trim()).toContain('Photos');
        await shot(page, '10-selective-sync-applied');
      });

      it('a held mass delete: the status screen explains it, "Keep the files" brings them back', async () => {
        await mkdir(path.join(desktop.folder, 'Bulk'), { recursive: true });
        for (let i = 0; i < 12; i++)
          await writeFile(path.join(desktop.folder, 'Bulk', `f${i}.txt`), `file ${i}`);
        await world.idle(desktop);
        await world.idle(laptop);
        expect(existsSync(path.join(laptop.folder, 'Bulk', 'f11.txt'))).toBe(true);
        await nav(page).getByRole('button', { name: 'Status' }).click();
        await rm(path.join(laptop.folder, 'Bulk'), { recursive: true });
        const banner = page.getByRole('heading', { name: /files? would be deleted on the server/ });
        await banner.waitFor({ timeout: 30_000 });
        await expect.poll(() => page.getByTestId('state').first().textContent()).toBe('Waiting for you');
        await shot(page, '10b-status-held-deletes');
        await page.getByRole('button', { name: 'The deletions are intended…' }).click();
        await page.getByRole('button', { name: /^Yes, delete/ }).waitFor();
        await page.getByRole('button', { name: 'Cancel' }).click();
        await page.getByRole('button', { name: 'Keep the files' }).click();
        await banner.waitFor({ state: 'detached' });
        await world.idle(laptop);
        await expect
          .poll(() => existsSync(path.join(laptop.folder, 'Bulk', 'f11.txt')), { timeout: 30_000 })
          .toBe(true);
        expect(existsSync(path.join(desktop.folder, 'Bulk', 'f0.txt'))).toBe(true);
      });

      it('keyboard: the navigation rail moves with the arrow keys and focus lands on the screen heading', async () => {
        const rail = nav(page);
        await rail.getByRole('button', { name: 'Status' }).focus();
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('ArrowDown');
        await expect
          .poll(() => page.evaluate(() => document.activeElement?.textContent))
          .toBe('Version history');
        await page.keyboard.press('Enter');
        await expect
          .poll(() =>
            page.evaluate(() => document.activeElement?.tagName + ':' + document.activeElement?.textContent),
          )
          .toBe('H1:Version history');
        await rail.getByRole('button', { name: 'Status' }).focus();
        await page.keyboard.press('End');
        await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Preferences');
        await page.keyboard.press('ArrowDown'); // wraps around
        await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Status');
      });

      it('cairn start --ui-dir refuses a folder without a built UI (usage, exit 2)', async () => {
        const r = await cairn(path.join(world.tmp, 'home-no-ui'), ['start', '--ui-dir', world.tmp]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('usage: --ui-dir');
      });

      it('a link with a wrong secret is refused and says what to do', async () => {
        const url = new URL((await cairnOk(laptop.home, ['open', '--print'])).trim());
        const p = await world.browser.newPage();
        try {
          await p.goto(`${url.origin}/#secret=not-the-secret`);
          await p.getByRole('heading', { name: 'This link has expired' }).waitFor();
          await p.getByText('cairn open').waitFor();
        } finally {
          await p.close();
        }
      });

      it('another web page cannot drive the engine, even knowing the secret', async () => {
        const url = new URL((await cairnOk(laptop.home, ['open', '--print'])).trim());
        const secret = new URLSearchParams(url.hash.slice(1)).get('secret')!;
        // A page from another origin (another local port), like a malicious site would be.
        const evil = http.createServer((_req, res) =>
          res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hi</p>'),
        );
        await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
        const p = await world.browser.newPage();
        try {
          await p.goto(`http://127.0.0.1:${(evil.address() as { port: number }).port}/`);
          const outcome = await p.evaluate(
            async ([origin, s]) => {
              const tries: string[] = [];
              try {
                const r = await fetch(`${origin}/control/pause`, {
                  method: 'POST',
                  headers: { authorization: `Bearer ${s}`, 'content-type': 'application/json' },
                  body: '{}',
                });
                tries.push(`cors:${r.status}`);
              } catch {
                tries.push('cors:blocked');
              }
              // A "simple" request needs no preflight; the response is opaque but it does reach the server.
              await fetch(`${origin}/control/pause`, { method: 'POST', mode: 'no-cors', body: '{}' }).catch(
                () => undefined,
              );
              return tries;
            },
            [url.origin, secret] as const,
          );
          expect(outcome).toEqual(['cors:blocked']);
          const status = JSON.parse(await cairnOk(laptop.home, ['status', '--json'])) as { state: string };
          expect(status.state).not.toBe('paused');
        } finally {
          await p.close();
          await new Promise<void>((r) => evil.close(() => r()));
        }
      });

      it('the control API refuses the real secret with a foreign Origin or a foreign Host (DNS rebinding)', async () => {
        const url = new URL((await cairnOk(laptop.home, ['open', '--print'])).trim());
        const secret = new URLSearchParams(url.hash.slice(1)).get('secret')!;
        const post = (method: string, headers: Record<string, string>) =>
          new Promise<{ status: number; body: string }>((resolve, reject) => {
            const req = http.request(
              {
                host: '127.0.0.1',
                port: Number(url.port),
                path: `/control/${method}`,
                method: 'POST',
                headers: {
                  authorization: `Bearer ${secret}`,
                  'content-type': 'application/json',
                  ...headers,
                },
              },
              (res) => {
                let body = '';
                res.setEncoding('utf8');
                res.on('data', (c: string) => (body += c));
                res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
              },
            );
            req.on('error', reject);
            req.end('{}');
          });
        // The same secret, with the engine's own Host and Origin: accepted (so the refusals below are about the headers).
        expect((await post('status', { host: url.host, origin: url.origin })).status).toBe(200);
        // A page of another site sends its own Origin…
        const foreignOrigin = await post('pause', { host: url.host, origin: 'http://evil.example' });
        expect(foreignOrigin.status).toBe(403);
        expect(JSON.parse(foreignOrigin.body)).toMatchObject({ error: { code: 'forbidden' } });
        // …and DNS rebinding sends the attacker's host name, resolved to 127.0.0.1.
        const rebound = await post('pause', { host: `evil.example:${url.port}` });
        expect(rebound.status).toBe(403);
        expect(JSON.parse(rebound.body)).toMatchObject({ error: { code: 'forbidden' } });
        const status = JSON.parse(await cairnOk(laptop.home, ['status', '--json'])) as { state: string };
        expect(status.state).not.toBe('paused');
      });

      it('preferences: invalid limits are refused, devices and account, saved settings; light and dark', async () => {
        await nav(page).getByRole('button', { name: 'Preferences' }).click();
        const devices = page.getByTestId('devices');
        await devices.getByText('desktop').waitFor();
        await devices.getByText('This computer').waitFor();
        const upload = page.getByLabel('Upload limit (KB/s)');
        // Not a number: said so, and nothing can be saved (it must never become 0 = no limit).
        await upload.fill('fast');
        await page.getByRole('alert').filter({ hasText: 'number of KB/s' }).waitFor();
        expect(await upload.getAttribute('aria-invalid')).toBe('true');
        expect(await page.getByRole('button', { name: 'Save preferences' }).isDisabled()).toBe(true);
        await shot(page, '11a-preferences-invalid-limit');
        await upload.fill('256');
        await page.getByRole('button', { name: 'Save preferences' }).click();
        await page.getByText('Preferences saved.').waitFor();
        const saved = JSON.parse(await cairnOk(laptop.home, ['status', '--json'])) as { state: string };
        expect(saved.state).not.toBe('error');
        await shot(page, '11-preferences');
        const status = JSON.parse(await cairnOk(laptop.home, ['status', '--json'])) as { state: string };
        expect(status.state).not.toBe('error');
        expect(pageErrors(page)).toEqual([]);
        const dark = await world.open(laptop, 'dark');
        await dark.getByRole('heading', { name: 'Status' }).waitFor();
        await shot(dark, '12-status-dark');
        await dark.close();
      });
    });

    // One page over one in-process engine (beforeAll); the tests run in order but each stands alone.
    describe('Electron path: the UI over the shell’s real IPC layer', () => {
      beforeAll(async () => {
        const home = path.join(world.tmp, 'home-ipc');
        ipcFolder = path.join(world.tmp, 'folder-ipc');
        await link(home, {
          mode: 'signup',
          server: world.serverUrl,
          email: `ipc-${world.email}`,
          password: world.password,
          device_name: 'desk',
        });
        engine = new Engine({ home, folder: ipcFolder, pollMs: 60_000 });
        await engine.start();
        ({ page: ipcPage, server: ipcServer } = await electronPage(engine));
        // Opened here, not in the first test, so any test of this block runs alone too.
        await ipcPage.getByRole('heading', { name: 'Status' }).waitFor();
      }, 120_000);

      afterAll(async () => {
        await ipcPage?.close();
        await ipcServer?.close();
        await engine?.stop();
      }, 60_000);

      it('shows the status and follows events pushed through forwardEvents', async () => {
        await expect
          .poll(() => ipcPage.getByTestId('state').first().textContent(), { timeout: 30_000 })
          .toBe('Up to date');
        await writeFile(path.join(ipcFolder, 'from-ipc.txt'), 'via the shell');
        await ipcPage
          .getByTestId('activity')
          .getByRole('button', { name: 'from-ipc.txt' })
          .waitFor({ timeout: 30_000 });
        await shot(ipcPage, '13-electron-path-status');
      });

      it('pause and resume go through the validated IPC handler', async () => {
        await ipcPage.getByRole('button', { name: 'Pause syncing' }).click();
        await expect.poll(() => ipcPage.getByTestId('state').first().textContent()).toBe('Paused');
        expect(engine.status().state).toBe('paused');
        await ipcPage.getByRole('button', { name: 'Resume syncing' }).click();
        await expect.poll(() => engine.status().state).not.toBe('paused');
      });

      it('first run in the desktop app: "Choose…" opens the shell’s folder dialog and fills the folder', async () => {
        const home = path.join(world.tmp, 'home-picker');
        const chosen = path.join(world.tmp, 'folder-picked');
        const eng = new Engine({ home, pollMs: 60_000 });
        await eng.start();
        const asked: unknown[] = [];
        // Stands in for dialog.showOpenDialog (src-main/shell/main.ts); the IPC checks are the real ones.
        const { page: p, server } = await electronPage(eng, {
          pickFolder: async (input) => (asked.push(input), { path: chosen }),
        });
        try {
          await p.getByRole('heading', { name: 'Welcome to Cairn' }).waitFor();
          await p.getByLabel('Server address').fill(world.serverUrl);
          await p.getByLabel('Email').fill(`picker-${world.email}`);
          await p.getByLabel('Password').fill(world.password);
          await p.getByRole('button', { name: 'Choose…' }).click();
          await expect.poll(() => p.getByLabel('Cairn folder on this computer').inputValue()).toBe(chosen);
          expect(asked).toEqual([{ title: 'Choose your Cairn folder' }]);
          await shot(p, '14-electron-first-run-picker');
          await p.getByRole('button', { name: 'Create account and start' }).click();
          await p.getByRole('heading', { name: 'Status' }).waitFor();
          expect(eng.root).toBe(chosen);
          expect(pageErrors(p)).toEqual([]);
        } finally {
          await p.close();
          await server.close();
          await eng.stop();
        }
      });

      it('malformed calls from the ipcPage are refused before the engine sees them', async () => {
        const reply = (method: unknown, input: unknown) =>
          ipcPage.evaluate(
            ([m, i]) =>
              (window as unknown as { cairn: { call(m: unknown, i: unknown): Promise<unknown> } }).cairn.call(
                m,
                i,
              ),
            [method, input] as const,
          );
        expect(await reply('history', {})).toMatchObject({ ok: false, error: { code: 'bad_request' } });
        expect(await reply('dropTables', {})).toMatchObject({ ok: false, error: { code: 'bad_request' } });
        expect(await reply('excludeAdd', { path: 42 })).toMatchObject({
          ok: false,
          error: { code: 'bad_request' },
        });
        // A well-formed call that the engine refuses keeps the engine's stable code.
        expect(await reply('history', { path: 'no-such-file.txt' })).toMatchObject({
          ok: false,
          error: { code: 'not_found' },
        });
        // The refused excludeAdd never reached the engine.
        expect(await reply('excludeList', {})).toEqual({ ok: true, result: { excluded: [] } });
        expect(pageErrors(ipcPage)).toEqual([]);
      });
    });

    // Two accounts (alice, bob), each with a real `cairn start` engine and its own page: alice
    // shares a folder and makes links from her UI, bob accepts in his. What the UI shows is
    // checked against the server through the CLI (`share list --json`) and the links themselves.
    describe('sharing between two accounts (browser mode)', () => {
      let alice: Device;
      let bob: Device;
      let pageA: Page;
      let pageB: Page;
      const sharingNav = (p: Page) => nav(p).getByRole('button', { name: /^Sharing/ });

      beforeAll(async () => {
        alice = await world.device('alice', `alice-${world.email}`);
        bob = await world.device('bob', `bob-${world.email}`);
        pageA = await world.open(alice, 'light', { permissions: ['clipboard-read', 'clipboard-write'] });
        pageB = await world.open(bob, 'dark');
        await pageA.getByRole('heading', { name: 'Status' }).waitFor();
        await pageB.getByRole('heading', { name: 'Status' }).waitFor();
      }, 120_000);

      afterAll(async () => {
        await pageA?.close();
        await pageB?.close();
      });

      it('alice invites bob from the share dialog; bob accepts at a path he chooses; alice changes his role', async () => {
        const a = `alice-${world.email}`;
        const b = `bob-${world.email}`;
        await mkdir(path.join(alice.folder, 'Team'), { recursive: true });
        await writeFile(path.join(alice.folder, 'Team', 'plan.txt'), 'the plan');
        await world.idle(alice);

        await sharingNav(pageA).click();
        await pageA.getByRole('heading', { name: 'Sharing', level: 1 }).waitFor();
        await pageA.getByText('No shared folders yet.').waitFor();
        await pageA.getByRole('button', { name: 'Share a folder…' }).click();
        const dialog = pageA.getByRole('dialog', { name: 'Share a folder' });
        await dialog.waitFor();
        // The dialog starts on its first field.
        await expect.poll(() => pageA.evaluate(() => document.activeElement?.id)).toBe('share-path');
        await dialog.getByLabel('Folder in your Cairn').fill('Team');
        await dialog.getByLabel('Email').fill('not an email');
        await dialog.getByRole('button', { name: 'Send invitation' }).click();
        await dialog.getByRole('alert').filter({ hasText: 'email address' }).waitFor();
        await dialog.getByLabel('Email').fill(b);
        await dialog.getByRole('combobox', { name: 'Role' }).selectOption('editor');
        await dialog.getByRole('button', { name: 'Send invitation' }).click();
        const shared = pageA.getByRole('dialog', { name: 'Share “Team”' });
        await shared.getByText(`Invited ${b} as editor.`, { exact: false }).waitFor();
        const members = shared.getByTestId('members');
        await members.locator('li').filter({ hasText: b }).getByText('Invited').waitFor();
        await members.locator('li').filter({ hasText: a }).getByText('You').waitFor();
        await shot(pageA, '15-share-dialog-invited');
        // Escape closes the dialog and gives focus back to the button that opened it.
        await pageA.keyboard.press('Escape');
        await shared.waitFor({ state: 'detached' });
        await expect
          .poll(() => pageA.evaluate(() => document.activeElement?.textContent))
          .toBe('Share a folder…');
        await pageA.getByTestId('shares').getByText('Team').waitFor();

        // Bob's page was open before the invitation: the Sharing screen loads it.
        await sharingNav(pageB).click();
        const inv = pageB.getByTestId('invitations').locator('li').filter({ hasText: 'Team' });
        await inv.waitFor();
        await inv.getByText(a).waitFor();
        await nav(pageB).getByLabel('1 invitation').waitFor();
        await shot(pageB, '16-sharing-invitation-dark');
        await inv.getByLabel('Put it in your Cairn at').fill('From Alice/Team');
        await inv.getByRole('button', { name: 'Accept the invitation to “Team”' }).click();
        await pageB.getByText('Accepted. The folder is in your Cairn at From Alice/Team.').waitFor();
        const row = pageB.getByTestId('shares').locator('li').filter({ hasText: 'From Alice/Team' });
        await row.getByText('Editor', { exact: true }).waitFor();
        await row.getByText(`shared by ${a}`, { exact: false }).waitFor();
        expect(await pageB.getByTestId('invitations').count()).toBe(0);
        expect(await nav(pageB).getByLabel('1 invitation').count()).toBe(0);
        const bobShares = JSON.parse(await cairnOk(bob.home, ['share', 'list', '--json'])) as {
          shares: { mount_path: string; role: string }[];
        };
        expect(bobShares.shares).toEqual([
          expect.objectContaining({ mount_path: 'From Alice/Team', role: 'editor' }),
        ]);
        // A member sees the people but cannot manage them.
        await row.getByRole('button', { name: 'People in From Alice/Team…' }).click();
        const bobDialog = pageB.getByRole('dialog', { name: 'Share “Team”' });
        await bobDialog.getByTestId('members').getByText(a).waitFor();
        expect(await bobDialog.getByRole('combobox').count()).toBe(0);
        expect(await bobDialog.getByRole('button', { name: 'Send invitation' }).count()).toBe(0);
        await bobDialog.getByRole('button', { name: 'Leave this folder…' }).waitFor();
        await bobDialog.getByRole('button', { name: 'Close' }).click();
        await bobDialog.waitFor({ state: 'detached' });

        // Alice sees bob as a member now and makes him a viewer.
        await pageA.getByRole('button', { name: 'Manage Team…' }).click();
        const manage = pageA.getByRole('dialog', { name: 'Share “Team”' });
        const bobRow = manage.getByTestId('members').locator('li').filter({ hasText: b });
        await expect.poll(() => bobRow.getByText('Invited').count(), { timeout: 10_000 }).toBe(0);
        await manage.getByRole('combobox', { name: `Role of ${b}` }).selectOption('viewer');
        await manage.getByText(`${b} is now a viewer.`).waitFor();
        await shot(pageA, '17-share-dialog-members');
        const aliceShares = JSON.parse(await cairnOk(alice.home, ['share', 'list', '--json'])) as {
          shares: { mount_path: string; members: { email: string; role: string; status: string }[] }[];
        };
        expect(aliceShares.shares[0]!.members).toEqual([
          expect.objectContaining({ email: a, role: 'owner', status: 'member' }),
          expect.objectContaining({ email: b, role: 'viewer', status: 'member' }),
        ]);
        await manage.getByRole('button', { name: 'Close' }).click();
        expect(pageErrors(pageA)).toEqual([]);
        expect(pageErrors(pageB)).toEqual([]);
      });

      it('public links: create with expiry and password, copy, revoke', async () => {
        await writeFile(path.join(alice.folder, 'report.txt'), 'quarterly numbers');
        await world.idle(alice);
        await sharingNav(pageA).click();
        const links = pageA.getByRole('region', { name: 'Public links' });
        await links.getByLabel('File or folder').fill('report.txt');
        await links.getByRole('combobox', { name: 'Expires' }).selectOption('7d');
        await links.getByLabel('Password (optional)').fill('open sesame');
        await links.getByRole('button', { name: 'Create link' }).click();
        await pageA.getByText('Link created for report.txt.', { exact: false }).waitFor();
        const url = await links.getByRole('textbox', { name: 'New link' }).inputValue();
        expect(url).toMatch(new RegExp(`^${world.serverUrl}/s/cairn_l_`));
        // The password was not kept in the form.
        expect(await links.getByLabel('Password (optional)').inputValue()).toBe('');
        const row = links.getByTestId('links').locator('li').filter({ hasText: 'report.txt' });
        await row.getByText('Password', { exact: true }).waitFor();
        await row.getByText(/^Expires \d{4}-/).waitFor();

        await row.getByRole('button', { name: 'Copy the link to report.txt' }).click();
        await pageA.getByText('Link copied.').waitFor();
        expect(await pageA.evaluate(() => navigator.clipboard.readText())).toBe(url);
        const guarded = await fetch(url);
        expect(guarded.status).toBe(401);
        expect(guarded.headers.get('x-cairn-error')).toBe('link_password');

        // A second link, no password, no expiry: it downloads.
        await links.getByLabel('File or folder').fill('Team');
        await links.getByRole('button', { name: 'Create link' }).click();
        const teamRow = links.getByTestId('links').locator('li').filter({ hasText: 'Team' });
        await teamRow.getByText('No expiry').waitFor();
        const teamUrl = await links.getByRole('textbox', { name: 'New link' }).inputValue();
        expect((await fetch(teamUrl)).status).toBe(200);
        await shot(pageA, '18-sharing-links');

        await row.getByRole('button', { name: 'Revoke the link to report.txt…' }).click();
        await row.getByRole('button', { name: 'Revoke link' }).click();
        await pageA.getByText('The link to report.txt no longer works.').waitFor();
        await row.waitFor({ state: 'detached' });
        expect((await fetch(url)).status).toBe(410);
        expect((await fetch(teamUrl)).status).toBe(200);
        const listed = (await cairnOk(alice.home, ['link', 'list'])).trim().split('\n');
        expect(listed).toHaveLength(1);
        expect(listed[0]).toContain('Team');
        expect(pageErrors(pageA)).toEqual([]);
      });

      it('the sharing screen by keyboard, in light and dark', async () => {
        const dark = await world.open(alice, 'dark');
        try {
          await dark.getByRole('heading', { name: 'Status' }).waitFor();
          await nav(dark).getByRole('button', { name: 'Status' }).focus();
          await dark.keyboard.press('End');
          await dark.keyboard.press('ArrowUp');
          await expect.poll(() => dark.evaluate(() => document.activeElement?.textContent)).toBe('Sharing');
          await dark.keyboard.press('Enter');
          await expect
            .poll(() =>
              dark.evaluate(
                () => `${document.activeElement?.tagName}:${document.activeElement?.textContent}`,
              ),
            )
            .toBe('H1:Sharing');
          await dark.getByTestId('shares').getByText('Team').waitFor();
          // Tab reaches "Manage Team…"; Enter opens the dialog with focus in the invite field.
          for (let i = 0; i < 12; i++) {
            await dark.keyboard.press('Tab');
            if (
              (await dark.evaluate(() => document.activeElement?.getAttribute('aria-label'))) ===
              'Manage Team…'
            )
              break;
          }
          await dark.keyboard.press('Enter');
          await dark.getByRole('dialog', { name: 'Share “Team”' }).waitFor();
          await expect.poll(() => dark.evaluate(() => document.activeElement?.id)).toBe('invite-email');
          await shot(dark, '19-share-dialog-dark');
          await dark.keyboard.press('Escape');
          await dark.getByRole('dialog').waitFor({ state: 'detached' });
          await shot(dark, '20-sharing-dark');
          expect(pageErrors(dark)).toEqual([]);
        } finally {
          await dark.close();
        }
      });
    });
  },
);
