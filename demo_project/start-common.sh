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

# Outside an activated virtualenv, fall back to the project's own .venv.
if ! command -v celery >/dev/null 2>&1 && [[ -x ../.venv/bin/celery ]]; then
    PATH="$(cd .. && pwd)/.venv/bin:${PATH}"
fi

# Derive the Celery URLs from REDIS_PORT so one variable moves the whole stack to another port.
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:${REDIS_PORT:-6379}/0}"
export CELERY_RESULT_BACKEND="${CELERY_RESULT_BACKEND:-redis://127.0.0.1:${REDIS_PORT:-6379}/1}"
