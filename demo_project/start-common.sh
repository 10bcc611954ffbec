# shellcheck shell=bash
# Sourced by every */start.sh once it has cd'ed to demo_project/ with errexit and nounset on:
# the run mode, the virtualenv fallback and the Celery URLs, kept in one place.
# Usage: source start-common.sh SCRIPT_NAME   (the name is used in error messages)

DEMO_ENV="${DEMO_ENV:-development}"
case "${DEMO_ENV}" in
    development) ;;
    production) set -o pipefail ;;
    *) echo "$1: DEMO_ENV must be 'development' or 'production', not '${DEMO_ENV}'" >&2
       exit 2 ;;
esac

# Outside an activated virtualenv, fall back to the project's own .venv; installed as a tool
# (pipx, uv tool), to the tool's virtualenv, four folders up from site-packages/demo_project/.
if ! command -v celery >/dev/null 2>&1 && [[ -x ../.venv/bin/celery ]]; then
    PATH="$(cd .. && pwd)/.venv/bin:${PATH}"
elif ! command -v celery >/dev/null 2>&1 && [[ -x ../../../../bin/celery ]]; then
    PATH="$(cd ../../../.. && pwd)/bin:${PATH}"
fi

# Runtime state (Redis data, beat's schedule, pid and lock files) goes where contract.py's
# state_dir() says: var/ in a checkout; for an installed package, whose folder is no place
# for it (and may be read-only), the user's state folder.
if [[ -z "${DEMO_VAR_DIR:-}" ]]; then
    if [[ -f ../pyproject.toml ]]; then
        DEMO_VAR_DIR=var
    else
        DEMO_VAR_DIR="$(python -c 'from demo_project.contract import state_dir; print(state_dir())')"
    fi
fi
export DEMO_VAR_DIR

# require_celery: stop with one line naming the first missing command (celery, and watchfiles
# in development) and how to get it, instead of a bare "watchfiles: not found" when the whole
# virtualenv is missing.
require_celery() {
    local needed=(celery) missing
    [[ "${DEMO_ENV}" == production ]] || needed+=(watchfiles)
    for missing in "${needed[@]}"; do
        command -v "${missing}" >/dev/null 2>&1 && continue
        echo "${script_name}: ${missing} not found; install the project into a virtualenv" \
             "(from the repository root: python3 -m venv .venv && .venv/bin/pip install -e .)" \
             "and activate it, or run bash scripts/dev.sh" >&2
        exit 127
    done
}
script_name="$1"

# Derive the Celery URLs from REDIS_PORT so one variable moves the whole stack to another port.
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:${REDIS_PORT:-6379}/0}"
export CELERY_RESULT_BACKEND="${CELERY_RESULT_BACKEND:-redis://127.0.0.1:${REDIS_PORT:-6379}/1}"
