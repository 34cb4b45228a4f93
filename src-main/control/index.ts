/**
 * Control layer entry: the ControlApi over an engine, its validating dispatcher, and the
 * HTTP transport with the `<home>/control.json` rendezvous used by the CLI and `cairn open`.
 * May import: the engine and src-shared.
 */
import type { Engine } from '../engine/index.ts';
import { removeControlInfo, writeControlInfo } from './client.ts';
import { startControlServer, type ControlServer } from './http.ts';
import { createControlApi, onControlEvents } from './service.ts';

export { createControlApi, dispatch, isControlMethod, onControlEvents } from './service.ts';
export { startControlServer, type ControlServer, type ControlServerOptions } from './http.ts';
export { callControl, readControlInfo, writeControlInfo, removeControlInfo, type ControlInfo } from './client.ts';
export { homeHolder } from '../engine/home-lock.ts';

/**
 * Serves `engine`'s control API over HTTP on 127.0.0.1 and writes `<home>/control.json`
 * ({pid, port, secret}, mode 0600). `close()` stops serving, stops the engine, and only then
 * removes the file, so the file never outlives the engine's hold on the home. (Whether an
 * engine holds it is the home lock's to say: one still starting has no file yet.)
 */
export async function serveEngine(engine: Engine, opts: { port?: number; uiDir?: string } = {}): Promise<ControlServer> {
  const api = createControlApi(engine);
  const srv = await startControlServer({ api, subscribe: (cb) => onControlEvents(engine, cb), ...opts });
  writeControlInfo(engine.home, { pid: process.pid, port: srv.port, secret: srv.secret });
  return {
    ...srv,
    close: async () => {
      try {
        await srv.close();
        await engine.stop();
      } finally {
        removeControlInfo(engine.home, process.pid);
      }
    },
  };
}
