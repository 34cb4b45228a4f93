/**
 * Prometheus metrics of one server instance (own registry, so several servers can run in
 * one process, e.g. in tests).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The server's metrics. */
export interface ServerMetrics {
  registry: Registry;
  blockUploadBytes: Counter;
  blockDownloadBytes: Counter;
  commits: Counter;
  wsConnections: Gauge;
  longPolls: Gauge;
}

/** Creates the registry with the required series (names are part of operations docs). */
export function createMetrics(): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    blockUploadBytes: new Counter({
      name: 'cairn_block_upload_bytes_total',
      help: 'Bytes of blocks received (verified uploads, duplicates included).',
      registers: [registry],
    }),
    blockDownloadBytes: new Counter({
      name: 'cairn_block_download_bytes_total',
      help: 'Bytes of blocks and file downloads sent.',
      registers: [registry],
    }),
    commits: new Counter({
      name: 'cairn_commits_total',
      help: 'File revisions committed (single, batch items and restores).',
      registers: [registry],
    }),
    wsConnections: new Gauge({
      name: 'cairn_ws_connections',
      help: 'Open notify WebSocket connections.',
      registers: [registry],
    }),
    longPolls: new Gauge({
      name: 'cairn_longpoll_waiting',
      help: 'Long-poll requests waiting for a journal advance.',
      registers: [registry],
    }),
  };
}
