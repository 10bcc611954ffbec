#!/usr/bin/env bash
# Start Flower, the web monitor for the demo's workers and tasks, on 127.0.0.1:${FLOWER_PORT:-5555}
# (FLOWER_ADDRESS=0.0.0.0 inside a container, whose published port must reach it).
#   development (default): restarted by watchfiles when a .py file changes.
#   production (DEMO_ENV=production): celery runs directly.
# Flower shows task arguments and can revoke tasks and stop workers, so it never starts without
# basic auth: CELERY_FLOWER_USER and CELERY_FLOWER_PASSWORD are required.
# It waits (up to PING_WAIT_SECONDS, default 60) for a worker to answer a ping, so its first page
# already lists a worker. Note: Flower reads every FLOWER_* variable naming one of its options
# (FLOWER_PORT, FLOWER_BASIC_AUTH) and silently ignores other FLOWER_* names.
set -o errexit
set -o nounset

cd "$(dirname "${BASH_SOURCE[0]}")/.."  # demo_project/: makes -A config.celery_app importable

source ./start-common.sh "flower/start.sh"
require_celery

if [[ -z "${CELERY_FLOWER_USER:-}" || -z "${CELERY_FLOWER_PASSWORD:-}" ]]; then
    echo "flower/start.sh: refusing to start without basic auth;" \
         "set CELERY_FLOWER_USER and CELERY_FLOWER_PASSWORD (see .env.example)" >&2
    exit 1
fi

wait_seconds="${PING_WAIT_SECONDS:-60}"
deadline=$((SECONDS + wait_seconds))
echo "flower/start.sh: waiting up to ${wait_seconds}s for a worker to answer a ping"
# `timeout` bounds each attempt: with the broker down, celery would keep retrying the connection.
# --foreground keeps it in this script's process group, so stopping the group stops the ping too.
until timeout --foreground 15 celery -A config.celery_app inspect ping --timeout 1 >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
        echo "flower/start.sh: no worker answered a ping within ${wait_seconds}s;" \
             "start one with: bash worker/start.sh" >&2
        exit 1
    fi
    echo "flower/start.sh: no worker answers yet, retrying"
    sleep 1
done
echo "flower/start.sh: a worker answered; starting Flower on ${FLOWER_ADDRESS:-127.0.0.1}:${FLOWER_PORT:-5555}"

# The credentials go to Flower through its FLOWER_BASIC_AUTH variable rather than the equivalent
# --basic-auth=user:password argument, which any local user could read in the process list.
export FLOWER_BASIC_AUTH="${CELERY_FLOWER_USER}:${CELERY_FLOWER_PASSWORD}"
args=(-A config.celery_app flower "--address=${FLOWER_ADDRESS:-127.0.0.1}" "--port=${FLOWER_PORT:-5555}" "$@")

if [[ "${DEMO_ENV}" == production ]]; then
    exec celery "${args[@]}"
fi
exec watchfiles --filter python celery.__main__.main --args "$(printf '%q ' "${args[@]}")"
