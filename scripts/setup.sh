#!/usr/bin/env bash
# Sets up a fresh clone: Node 24 (project-local when needed), npm dependencies, the native
# chunker addon and the UI bundle. Safe to run again; does only what is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CAIRN_ROOT"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --loglevel=error
fi
# npm 11 does not run dependency install scripts unless allowed; our native addon is built
# explicitly (a failed build leaves the pure-TypeScript fallback in charge).
npm run build:native --silent || echo "setup: native-chunker build failed; using the TypeScript fallback" >&2
if [ -f scripts/build-ui.ts ]; then npm run build:ui --silent; fi
