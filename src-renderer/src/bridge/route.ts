/**
 * Screen requests in the URL fragment: `#screen=preferences` opens that screen. The
 * Electron tray's "Preferences…" item uses it (a same-document navigation, no reload).
 */
import type { Screen } from '../store/app.ts';

const SCREENS: readonly Screen[] = [
  'status',
  'conflicts',
  'history',
  'deleted',
  'selective',
  'sharing',
  'preferences',
];

/** The screen named in a fragment, or null. */
export function screenFromHash(hash: string): Screen | null {
  const m = /(?:^#|&)screen=([a-z]+)/.exec(hash);
  const s = m?.[1] as Screen | undefined;
  return s && SCREENS.includes(s) ? s : null;
}
