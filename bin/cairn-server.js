#!/usr/bin/env node
import { launch } from './launch.js';
// A larger initial old space: request bodies arrive in socket buffers (external memory) that
// otherwise start a full GC every few dozen MiB received (docs/decisions.md D41).
await launch('src-server/cli.ts', ['--initial-old-space-size=128']);
