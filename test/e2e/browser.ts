/**
 * Debian's Chromium for the e2e tests (never `playwright install`: no downloads here).
 * The flags keep it quiet and offline: no background networking, updates or sync.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-gpu',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** True when the Chromium binary is there. */
export const hasChromium = existsSync(CHROMIUM_PATH);
