/**
 * Finding and calling the running engine of a home folder: `<home>/control.json`
 * ({pid, port, secret}, mode 0600) written by `cairn start`, read by the CLI and `cairn open`.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { CairnError, errorFromBody } from '../../src-shared/errors.ts';
import type { ControlInput, ControlMethod, ControlOutput } from '../../src-shared/control.ts';
import { writePrivateFile } from '../engine/account.ts';

/** Contents of `control.json`. */
export interface ControlInfo {
  pid: number;
  port: number;
  secret: string;
}

/** Path of the control file of `home`. */
export function controlFile(home: string): string {
  return path.join(home, 'control.json');
}

/** Writes `<home>/control.json` with mode 0600. */
export function writeControlInfo(home: string, info: ControlInfo): void {
  writePrivateFile(controlFile(home), `${JSON.stringify(info)}\n`);
}

/** Removes the control file if it still names `pid`. */
export function removeControlInfo(home: string, pid: number): void {
  const cur = readControlInfo(home);
  if (cur && cur.pid === pid) rmSync(controlFile(home), { force: true });
}

/** The control file of `home`, or null. */
export function readControlInfo(home: string): ControlInfo | null {
  try {
    return JSON.parse(readFileSync(controlFile(home), 'utf8')) as ControlInfo;
  } catch {
    return null;
  }
}

/** True when process `pid` is alive (a zombie — killed, not yet reaped — is not). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
  try {
    // Linux: field 3 of /proc/PID/stat is the state; Z = zombie.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Calls a control method on the engine running for `home`.
 * @throws CairnError `not_running` when no engine answers; the method's errors otherwise.
 */
export async function callControl<M extends ControlMethod>(home: string, method: M, input: ControlInput<M>, timeoutMs = 3_600_000): Promise<ControlOutput<M>> {
  const info = readControlInfo(home);
  if (!info || !alive(info.pid)) throw new CairnError('not_running');
  let res;
  try {
    res = await request(`http://127.0.0.1:${info.port}/control/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${info.secret}` },
      body: JSON.stringify(input ?? {}),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch {
    throw new CairnError('not_running');
  }
  const text = await res.body.text();
  if (res.statusCode >= 400) {
    try {
      throw errorFromBody(JSON.parse(text), res.statusCode);
    } catch (e) {
      if (e instanceof CairnError) throw e;
      throw new CairnError('internal', text.slice(0, 200));
    }
  }
  return JSON.parse(text) as ControlOutput<M>;
}
