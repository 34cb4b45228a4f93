#!/usr/bin/env bash
# Runs every check and test: lint, typecheck, protocol-doc drift, then the whole vitest suite
# (unit, integration, crash, chaos seeds, and Playwright end-to-end in Debian's Chromium).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CAIRN_ROOT"
bash scripts/setup.sh
npx eslint . --max-warnings=0
npx tsc -b
mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-results/vitest.json", "utf8"));
  console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
exit $status
