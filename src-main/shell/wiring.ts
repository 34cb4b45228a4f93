/**
 * The real {@link OpenControl}: the sync engine and its control API, in-process. This is
 * the only shell module that names the engine (its public facade, not its internals);
 * tests inject fakes instead.
 */
import { createControlApi, onControlEvents } from '../control/index.ts';
import { Engine } from '../engine/index.ts';
import type { OpenControl } from './control-port.ts';

/** Opens the engine for `home` (its stored folder, if linked) and starts it. */
export const openEngineControl: OpenControl = async ({ home }) => {
  const engine = new Engine({ home });
  await engine.start();
  return {
    api: createControlApi(engine),
    subscribe: (cb) => onControlEvents(engine, cb),
    stop: () => engine.stop(),
  };
};
