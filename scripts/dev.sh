#!/usr/bin/env bash
# One entry point for a fresh Debian machine with only Python 3.11:
#   bash scripts/dev.sh study   -> set up, build the deck, open the study app
#   bash scripts/dev.sh test    -> set up, run lint, types and every test
# It installs what is missing (Debian packages, the virtualenv) and is safe to re-run.
set -o errexit -o nounset -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
cd "$ROOT"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_debian_packages() {
    local missing=()
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    command -v redis-benchmark >/dev/null 2>&1 || missing+=(redis-tools)
    command -v tmux >/dev/null 2>&1 || missing+=(tmux)
    # tests/demo/test_compose.py: `docker-compose config` checks compose.yaml with no engine
    command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
    # tests/studyapp/test_scheduler_anki_parity.py: Anki's scheduler answers at chosen moments
    command -v faketime >/dev/null 2>&1 || missing+=(faketime)
    python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "==> installing Debian packages: ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

ensure_venv() {
    local stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
    if [ ! -x "$VENV/bin/python" ]; then
        echo "==> creating virtualenv in $VENV"
        python3 -m venv "$VENV"
    fi
    if [ ! -f "$stamp" ]; then
        echo "==> installing Python packages"
        "$VENV/bin/python" -m pip install -q --upgrade pip
        "$VENV/bin/python" -m pip install -q -e ".[test]"
        rm -f "$VENV"/.installed-*
        touch "$stamp"
    fi
}

cmd="${1:-study}"
shift || true
ensure_debian_packages
ensure_venv
export PATH="$VENV/bin:$PATH"

case "$cmd" in
    study)
        mkdir -p out
        deckgen build cards/ -o out/celery.apkg
        exec studyapp "$@" cards/
        ;;
    test)
        echo "==> ruff"; ruff check . && ruff format --check .
        echo "==> mypy"; mypy
        echo "==> deck"; deckgen check cards/
        echo "==> verify every card's command"; studyapp verify --jobs 2 cards/
        echo "==> pytest"; exec python -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
        ;;
    *)
        echo "usage: bash scripts/dev.sh [study|test] [args...]" >&2
        exit 2
        ;;
esac
