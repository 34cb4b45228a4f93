/**
 * The message of the error box shown when the desktop app cannot start (entry.ts): a pure
 * function so its wording is tested without Electron.
 */

/** Title and text of the start-failure dialog for `err` (its stable `code` when it has one). */
export function startFailure(err: unknown, home: string): { title: string; content: string } {
  const code =
    typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'internal';
  const message = err instanceof Error ? err.message : String(err);
  return {
    title: 'Cairn could not start',
    content: `${message} (${code})\n\nDevice folder: ${home}\nRun \`cairn status\` in a terminal for details, or start Cairn again.`,
  };
}
