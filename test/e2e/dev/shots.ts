/**
 * DEV ONLY: screenshots of every screen against the fake control server, light and dark,
 * into test-results/screenshots/dev/. `node test/e2e/dev/shots.ts`
 */
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import { startFakeControl } from './fake-control.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../browser.ts';

const out = 'test-results/screenshots/dev';
await mkdir(out, { recursive: true });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  for (const scheme of ['light', 'dark'] as const) {
    for (const state of ['syncing', 'held', 'setup'] as const) {
      const fake = await startFakeControl({ state });
      const page = await browser.newPage({ colorScheme: scheme, viewport: { width: 1000, height: 760 } });
      page.on('console', (m) => m.type() === 'error' && console.error(`[${state}] console:`, m.text()));
      page.on('pageerror', (e) => console.error(`[${state}] pageerror:`, e.message));
      await page.goto(fake.url);
      if (state === 'setup') {
        await page.getByRole('heading', { name: 'Welcome to Cairn' }).waitFor();
        await page.screenshot({ path: `${out}/${scheme}-first-run.png`, fullPage: true });
      } else if (state === 'held') {
        await page.getByText('would be deleted').waitFor();
        await page.screenshot({ path: `${out}/${scheme}-held.png`, fullPage: true });
      } else {
        await page.getByRole('heading', { name: 'Status' }).waitFor();
        await page.screenshot({ path: `${out}/${scheme}-status.png`, fullPage: true });
        const nav = page.getByRole('navigation', { name: 'Cairn' });
        await nav.getByRole('button', { name: /Conflicts/ }).click();
        await page.getByTestId('conflict').waitFor();
        await page.getByRole('button', { name: 'Open both' }).click();
        await page.screenshot({ path: `${out}/${scheme}-conflicts.png`, fullPage: true });
        await nav.getByRole('button', { name: 'Version history' }).click();
        await page.getByRole('button', { name: 'Projects' }).click();
        await page.getByRole('button', { name: 'report.docx' }).click();
        await page.getByTestId('revisions').locator('li').first().waitFor();
        await page.getByRole('button', { name: 'Save a copy…' }).nth(1).click();
        await page.screenshot({ path: `${out}/${scheme}-history.png`, fullPage: true });
        await nav.getByRole('button', { name: 'Deleted files' }).click();
        await page.getByTestId('deleted').waitFor();
        await page.screenshot({ path: `${out}/${scheme}-deleted.png`, fullPage: true });
        await nav.getByRole('button', { name: 'Selective sync' }).click();
        await page.getByRole('button', { name: 'Expand Photos' }).click();
        await page.getByRole('checkbox', { name: '2023' }).uncheck();
        await page.getByRole('button', { name: 'Apply' }).click();
        await page.getByRole('alertdialog').waitFor();
        await page.screenshot({ path: `${out}/${scheme}-selective.png`, fullPage: true });
        await nav.getByRole('button', { name: /^Sharing/ }).click();
        await page.getByTestId('links').waitFor();
        await page.screenshot({ path: `${out}/${scheme}-sharing.png`, fullPage: true });
        await page.getByRole('button', { name: 'Manage Projects/Team…' }).click();
        await page.getByRole('dialog').waitFor();
        await page.screenshot({ path: `${out}/${scheme}-share-dialog.png`, fullPage: true });
        await page.keyboard.press('Escape');
        await nav.getByRole('button', { name: 'Preferences' }).click();
        await page.getByTestId('devices').locator('li').first().waitFor();
        await page.screenshot({ path: `${out}/${scheme}-preferences.png`, fullPage: true });
      }
      await page.close();
      await fake.close();
    }
  }
} finally {
  await browser.close();
}
process.stdout.write(`screenshots in ${out}\n`);
