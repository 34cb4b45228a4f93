#!/usr/bin/env bash
# Sets up a fresh clone: Node 24 (project-local when needed), npm dependencies, the native
# chunker addon and the UI bundle. Safe to run again; does only what is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CAIRN_ROOT"
# Installed dependencies are stamped with the lock file's content hash, not compared by mtime:
# a fresh checkout (or a worktree sharing hard-linked node_modules) makes the lock file newer
# without changing it, and `npm ci` would then wipe and refetch everything.
lock_sha=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.cairn-lock-sha256
if [ -f "$stamp" ]; then
  [ "$(cat "$stamp")" = "$lock_sha" ] || need_ci=1
elif [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  need_ci=1
fi
if [ -n "${need_ci:-}" ]; then
  npm ci --loglevel=error
fi
echo "$lock_sha" > "$stamp"
# npm 11 does not run dependency install scripts unless allowed; our native addon is built
# explicitly (a failed build leaves the pure-TypeScript fallback in charge).
npm run build:native --silent || echo "setup: native-chunker build failed; using the TypeScript fallback" >&2
if [ -f scripts/build-ui.ts ]; then npm run build:ui --silent; fi
