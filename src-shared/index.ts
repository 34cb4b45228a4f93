/**
 * src-shared — the one typed source of truth shared by server, engine, CLI and UI:
 * error codes, path rules, content-hash definition, protocol v1 schemas and routes, and the
 * control API schema map. May import nothing of ours. Not exported here, being node-only:
 * process-lock.ts (the server's data-dir lock and the engine's home lock).
 */
export * from './errors.ts';
export * from './paths.ts';
export * from './hash.ts';
export * from './protocol/limits.ts';
export * from './protocol/model.ts';
export * from './protocol/routes.ts';
export * from './protocol/cursor.ts';
export * from './control.ts';
