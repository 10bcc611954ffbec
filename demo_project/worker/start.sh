#!/usr/bin/env bash
# Start a Celery worker for the demo app.
#   development (default): watchfiles restarts the worker whenever a .py file below demo_project/
#                          changes, so edited task code is picked up without a manual restart.
#   production (DEMO_ENV=production): celery runs directly; a process manager restarts it.
# Tuning (environment, or extra celery arguments after the script name):
#   WORKER_QUEUES       comma-separated queues to consume (default: the app's default queues)
#   WORKER_CONCURRENCY  pool processes (default 2)
#   WORKER_NAME         node name, e.g. reports@%h (default: celery@<hostname>)
#   WORKER_LOGLEVEL     default info
# Example, a second worker bound to its own queue:
#   WORKER_QUEUES=reports WORKER_NAME=reports@%h bash worker/start.sh
set -o errexit
set -o nounset

cd "$(dirname "${BASH_SOURCE[0]}")/.."  # demo_project/: makes -A config.celery_app importable

source ./start-common.sh "worker/start.sh"
require_celery

args=(-A config.celery_app worker "--loglevel=${WORKER_LOGLEVEL:-info}"
      "--concurrency=${WORKER_CONCURRENCY:-2}")
if [[ -n "${WORKER_QUEUES:-}" ]]; then
    args+=("--queues=${WORKER_QUEUES}")
fi
if [[ -n "${WORKER_NAME:-}" ]]; then
    args+=("--hostname=${WORKER_NAME}")
fi
args+=("$@")

if [[ "${DEMO_ENV}" == production ]]; then
    exec celery "${args[@]}"
fi
# watchfiles runs celery's own entry point in a child process and sets sys.argv from --args
# (split like a shell would, hence the printf %q quoting).
exec watchfiles --filter python celery.__main__.main --args "$(printf '%q ' "${args[@]}")"
