/**
 * Internals for Cairn's own benchmark and tests (`native-chunker/internal`): the two scanners,
 * executors and pipeline helpers. Not a stable API; the engine uses `native-chunker`.
 */
export { newScanState, scanTs, type ScanState, type Scanner } from './cutter.ts';
export { scanNative, addon } from './native.ts';
export { resolveParams, type ResolvedParams } from './params.ts';
export {
  asarUnpackedUrl,
  createInlineExecutor,
  createWorkerPool,
  sharedExecutor,
  MAX_DEATHS_IN_A_ROW,
  type Executor,
  type WorkerPoolOptions,
} from './pool.ts';
export { segmentRange, type PipelineTuning } from './file.ts';
