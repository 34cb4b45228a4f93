/**
 * Same-run baseline of benchmark 3a: the work a file's trip from device A through a server to
 * device B cannot avoid, done by the plainest program — no sync engine, no protocol, one
 * stream per step, each step's hashing and writing in line with its receiving.
 *
 * 1. A → relay: this process reads the file and hashes it (SHA-256) while sending it as one
 *    HTTP PUT; the relay (a trivial node:http server in its own process) hashes the bytes as
 *    they arrive, writes them to a new file, fsyncs it, renames it into place, fsyncs the
 *    folder and answers.
 * 2. relay → B: one HTTP GET of that file; this process hashes the bytes as they arrive and
 *    makes them a durable new file the same way.
 *
 * So the relay does what Cairn must: three SHA-256 passes (A, server, B), two loopback
 * transfers, two new files written and fsynced (the server's copy and B's), in two steps that
 * follow each other as a sync must (B can fetch only what the server has stored). What it
 * leaves out is Cairn's own cost: chunking, blocks, requests, the state DB, commit; what Cairn
 * adds is overlap (blocks in flight, hashing off the receiving thread). It is no lower bound,
 * but its CPU time is close to one: the sum of the unavoidable work.
 * Run it in the same conditions as the measured transfer (fresh memory for the new files: on
 * a VM that returns idle memory to its host, writing new page cache costs far more system CPU
 * than on a physical machine, and both the relay and Cairn pay it).
 *
 * Run as a script, this file is the relay: `node bench/plain-relay.ts DIR` prints
 * `listening on http://127.0.0.1:PORT`.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

/** Result of {@link plainRelay}: wall time of each step and of both, CPU time of both processes (ms). */
export interface RelayResult {
  upMs: number;
  downMs: number;
  totalMs: number;
  cpuMs: number;
}

/** CPU ms (user + system, all threads) of a live process, from /proc (Linux). */
function cpuOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const parts = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(parts[11]) + Number(parts[12])) * 10;
}

/**
 * Writes a stream's chunks to a temp file next to `to`, hashing them; fsyncs it, renames it to
 * `to` and fsyncs the folder (as Cairn's server and engine make a file durable). Returns the
 * hex SHA-256.
 */
async function hashWriteSync(src: AsyncIterable<Buffer>, to: string): Promise<string> {
  const sha = createHash('sha256');
  const tmp = `${to}.tmp`;
  const fh = await open(tmp, 'wx');
  try {
    for await (const chunk of src) {
      sha.update(chunk);
      await fh.write(chunk);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, to);
  const dir = await open(path.dirname(to), 'r');
  await dir.sync().finally(() => dir.close());
  return sha.digest('hex');
}

/** The relay server (script mode): PUT /f stores a file (hashed, fsynced), GET /f serves it. */
function serve(dir: string): void {
  const file = path.join(dir, 'relay.bin');
  const server = http.createServer((req, res) => {
    if (req.method === 'PUT') {
      hashWriteSync(req, file).then(
        (hash) => res.end(hash),
        (e: unknown) => {
          res.statusCode = 500;
          res.end(String(e));
        },
      );
      return;
    }
    res.setHeader('content-type', 'application/octet-stream');
    pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), res).catch(() => res.destroy());
  });
  server.listen(0, '127.0.0.1', () => {
    const a = server.address() as { port: number };
    process.stdout.write(`listening on http://127.0.0.1:${a.port}\n`);
  });
}

/**
 * Relays the file at `src` (see the module comment), using `dir` (created by the caller,
 * emptied here afterwards) for the relay's copy and B's copy. Linux only (CPU from /proc).
 * @throws Error when a copy's hash differs from the source's (the relay must do real work).
 */
export async function plainRelay(src: string, dir: string): Promise<RelayResult> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.once('exit', (c) => reject(new Error(`relay exited (${c})`)));
      child.stdout?.on('data', (c: Buffer) => {
        buf += c.toString();
        const m = /listening on (http:\/\/\S+)/u.exec(buf);
        if (m) resolve(m[1] as string);
      });
    });
    const cpu0 = cpuOf(process.pid) + cpuOf(child.pid as number);
    const t0 = performance.now();
    const aSha = createHash('sha256');
    const relayHash = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${url}/f`, { method: 'PUT' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
        res.on('error', reject);
      });
      req.on('error', reject);
      const rs = createReadStream(src, { highWaterMark: 1 << 20 });
      rs.on('data', (c) => aSha.update(c));
      pipeline(rs, req).catch(reject);
    });
    const t1 = performance.now();
    const bHash = await new Promise<string>((resolve, reject) => {
      http
        .get(`${url}/f`, (res) => hashWriteSync(res, path.join(dir, 'b.bin')).then(resolve, reject))
        .on('error', reject);
    });
    const t2 = performance.now();
    const cpuMs = cpuOf(process.pid) + cpuOf(child.pid as number) - cpu0;
    const aHash = aSha.digest('hex');
    if (relayHash !== aHash || bHash !== aHash) throw new Error('plain relay: copies differ from the source');
    return { upMs: t1 - t0, downMs: t2 - t1, totalMs: t2 - t0, cpuMs };
  } finally {
    child.kill('SIGTERM');
    await rm(path.join(dir, 'relay.bin'), { force: true });
    await rm(path.join(dir, 'b.bin'), { force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve(process.argv[2] as string);
