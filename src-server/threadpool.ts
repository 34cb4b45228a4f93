/**
 * Process settings of the CLI server, made before anything else runs (imported first by
 * cli.ts; the library entry `startServer` leaves its host process alone).
 *
 * libuv's thread pool is sized before anything uses it. Block
 * uploads chain several file-system calls, two of them fsyncs; with the default 4 threads,
 * 16 concurrent uploads queue behind each other (measured: ~30 % more upload throughput with
 * 16). An explicit UV_THREADPOOL_SIZE in the environment wins.
 */
import { setFlagsFromString } from 'node:v8';

process.env.UV_THREADPOOL_SIZE ??= '16';

/**
 * (The heap size that matters as much, `--initial-old-space-size`, only works from the command
 * line: bin/cairn-server.js passes it, D41.)
 *
 * Every request body arrives in freshly allocated socket buffers (external memory to V8). By
 * default V8 starts a full GC whenever external memory has grown by 64 MB, so receiving blocks
 * cost a mark-compact of the whole heap every 64 one-MiB uploads — more CPU than hashing them.
 * Counting external memory in V8's global limit instead (which grows with the heap) measured
 * 4.5 → 2.3 ms of server CPU per 1 MiB block upload, for 15–50 MiB more RSS (docs/decisions.md
 * D35). Set at startup, before the heap holds anything but this module.
 */
setFlagsFromString('--external-memory-accounted-in-global-limit');
