#!/usr/bin/env node
import { launch } from './launch.js';
await launch('src-main/cli/main.ts');
