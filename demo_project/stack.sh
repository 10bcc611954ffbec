#!/usr/bin/env bash
# Start the whole demo stack in the foreground: Redis, a worker, a second worker bound to the
# `reports` queue, beat and Flower, every line prefixed by its service. Ctrl-C stops all of it.
# honcho (the Procfile runner) starts each service in its own process group and, on Ctrl-C or
# SIGTERM, signals every group, then kills whatever is still alive after 5 seconds.
# Settings: the environment, or demo_project/.env (read by honcho; copy .env.example).
set -o errexit
set -o nounset

cd "$(dirname "${BASH_SOURCE[0]}")"  # demo_project/: the Procfile's commands are relative to it

# Outside an activated virtualenv: the project's .venv, or an installed tool's virtualenv
# (four folders up from site-packages/demo_project/), as start-common.sh does.
if ! command -v honcho >/dev/null 2>&1 && [[ -x ../.venv/bin/honcho ]]; then
    PATH="$(cd .. && pwd)/.venv/bin:${PATH}"
elif ! command -v honcho >/dev/null 2>&1 && [[ -x ../../../../bin/honcho ]]; then
    PATH="$(cd ../../../.. && pwd)/bin:${PATH}"
fi

# Development-only Flower login so the stack starts out of the box. Flower binds to 127.0.0.1, so
# only this machine can use it; set your own credentials in .env for anything else.
if [[ -z "${CELERY_FLOWER_USER:-}" && -z "${CELERY_FLOWER_PASSWORD:-}" ]]; then
    export CELERY_FLOWER_USER=demo
    export CELERY_FLOWER_PASSWORD=demo-local-only
    echo "stack.sh: Flower login demo / demo-local-only (local development default)"
fi

# `bash stack.sh | tee stack.log`: Ctrl-C stops tee as well, and honcho would then die of the
# broken pipe on its next line, before it stops a single service. When the output is a pipe it
# goes through a relay that ignores Ctrl-C and keeps reading once its reader is gone (GNU tee:
# -p ignores a broken pipe, and /dev/null is the output that never breaks).
if [[ -p /dev/stdout ]]; then
    exec > >(trap '' INT PIPE; exec tee -p /dev/null)
fi

# honcho stops everything on SIGINT and SIGTERM but has no SIGHUP handler: closing the terminal
# would kill honcho alone and orphan every service. So honcho runs as a child, and this shell
# passes a hang-up (and a TERM or INT sent to the script) on to it, then waits for its exit.
honcho --procfile Procfile --app-root . start "$@" &
honcho_pid=$!
trap 'kill -TERM "${honcho_pid}" 2>/dev/null || true' HUP TERM
trap 'kill -INT "${honcho_pid}" 2>/dev/null || true' INT
set +o errexit
while true; do
    wait "${honcho_pid}"
    status=$?
    kill -0 "${honcho_pid}" 2>/dev/null || break  # still running: a trap interrupted wait
done
wait "${honcho_pid}" 2>/dev/null && status=0 || status=$?  # honcho's own exit status
exit "${status}"
