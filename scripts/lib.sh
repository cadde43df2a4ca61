# Shared by scripts/demo and scripts/test: install what the platform needs,
# from the lockfiles only (uv.lock, package-lock.json).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
UV_VERSION="0.13.9"
UV="$ROOT/var/tools/bin/uv"
export UV_PROJECT_ENVIRONMENT="$ROOT/.venv"
export UV_NO_PROGRESS=1

# Progress lines in bold (red would read as an error).
say() { printf '\033[1m==>\033[0m %s\n' "$*"; }

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "error: $1 is required ($2)" >&2; exit 1; }
}

ensure_uv() {
  need python3 "Python 3.11 or newer"
  python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
    || { echo "error: Python 3.11 or newer is required" >&2; exit 1; }
  if [[ ! -x "$UV" ]] || [[ "$("$UV" --version 2>/dev/null)" != "uv $UV_VERSION"* ]]; then
    say "installing uv $UV_VERSION into var/tools"
    rm -rf "$ROOT/var/tools"
    python3 -m venv "$ROOT/var/tools"
    "$ROOT/var/tools/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  fi
}

ensure_python() {  # ensure_python [--group dev]
  ensure_uv
  say "installing Python dependencies (uv.lock)"
  # --inexact: the demo keeps dev packages a developer installed (they share .venv).
  "$UV" sync --frozen --inexact --python "$(command -v python3)" "$@"
}

ensure_assets() {
  need npm "Node.js and npm install the front-end assets"
  if [[ ! -f node_modules/.package-lock.json ]] || ! cmp -s package-lock.json node_modules/.lock-copy 2>/dev/null; then
    say "installing front-end assets (package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.lock-copy
  fi
}
