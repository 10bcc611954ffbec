#!/usr/bin/env bash
# Start Celery beat, the scheduler that sends the app's periodic tasks to the broker.
#   development (default): restarted by watchfiles when a .py file changes.
#   production (DEMO_ENV=production): celery runs directly.
# Its schedule state and pidfile live in the git-ignored data folder (DEMO_VAR_DIR, default var/).
#
# Only one beat may ever run against a broker: two schedulers would each send every periodic task,
# so every entry would run twice. A kernel lock (flock) on var/celerybeat.lock, held for the whole
# life of the process, refuses a second beat; the lock dies with its holder, so it can never go
# stale. Celery's own pidfile (--pidfile) is kept as the conventional second guard, and a leftover
# celerybeat.pid from a crashed or killed beat is removed first (once we hold the lock, any
# pidfile is stale by definition), otherwise celery would refuse to start.
set -o errexit
set -o nounset

cd "$(dirname "${BASH_SOURCE[0]}")/.."  # demo_project/: makes -A config.celery_app importable

source ./start-common.sh "beat/start.sh"
require_celery

var_dir="${DEMO_VAR_DIR}"  # set by start-common.sh: var/ in a checkout, else the state folder
mkdir -p "${var_dir}"

# fd 9 stays open across exec, so the lock is held by beat (or by watchfiles) until it exits.
exec 9>>"${var_dir}/celerybeat.lock"
if ! flock --nonblock 9; then
    echo "beat/start.sh: another beat already runs (lock ${var_dir}/celerybeat.lock is held)" >&2
    exit 1
fi
rm -f "${var_dir}/celerybeat.pid"

args=(-A config.celery_app beat "--loglevel=${BEAT_LOGLEVEL:-info}"
      "--schedule=${CELERY_BEAT_SCHEDULE_FILE:-${var_dir}/celerybeat-schedule}"
      "--pidfile=${var_dir}/celerybeat.pid" "$@")

if [[ "${DEMO_ENV}" == production ]]; then
    exec celery "${args[@]}"
fi
exec watchfiles --filter python celery.__main__.main --args "$(printf '%q ' "${args[@]}")"
