#!/usr/bin/env bash
# Start the whole demo stack in the foreground: Redis, a worker, a second worker bound to the
# `reports` queue, beat and Flower, every line prefixed by its service. Ctrl-C stops all of it.
# honcho (the Procfile runner) starts each service in its own process group and, on Ctrl-C or
# SIGTERM, signals every group, then kills whatever is still alive after 5 seconds.
# Settings: the environment, or demo_project/.env (read by honcho; copy .env.example).
set -o errexit
set -o nounset

# Started in the background by a script (`bash stack.sh &`), this shell gets SIGINT ignored, and
# bash can neither trap nor pass on a signal ignored on entry: `kill -INT` would stop nothing.
# Run once more with SIGINT back at its default, so the trap below catches it.
if [[ "$(trap -p INT)" == "trap -- '' SIGINT" && -z "${STACK_SH_SIGINT_RESET:-}" ]]; then
    exec env --default-signal=INT STACK_SH_SIGINT_RESET=1 bash "$0" "$@"
fi

cd "$(dirname "${BASH_SOURCE[0]}")"  # demo_project/: the Procfile's commands are relative to it

# Outside an activated virtualenv: the project's .venv, or an installed tool's virtualenv
# (four folders up from site-packages/demo_project/), as start-common.sh does.
if ! command -v honcho >/dev/null 2>&1 && [[ -x ../.venv/bin/honcho ]]; then
    PATH="$(cd .. && pwd)/.venv/bin:${PATH}"
elif ! command -v honcho >/dev/null 2>&1 && [[ -x ../../../../bin/honcho ]]; then
    PATH="$(cd ../../../.. && pwd)/bin:${PATH}"
fi
if ! command -v honcho >/dev/null 2>&1; then
    echo "stack.sh: honcho not found; install the project into a virtualenv (from the repository" \
         "root: python3 -m venv .venv && .venv/bin/pip install -e .) or run bash scripts/dev.sh" >&2
    exit 127
fi

# Which Flower login applies. honcho reads .env (or the -e file) over the environment, so a
# login there wins; without one anywhere, a development-only default lets the stack start out
# of the box (Flower listens on 127.0.0.1 only; set your own in .env for anything else).
login_from="your environment"
if [[ -z "${CELERY_FLOWER_USER:-}" && -z "${CELERY_FLOWER_PASSWORD:-}" ]]; then
    export CELERY_FLOWER_USER=demo
    export CELERY_FLOWER_PASSWORD=demo-local-only
    login_from="the local development default, password demo-local-only"
fi
# The values the services will see, read through honcho itself (same files, same precedence).
env_file=()
for ((i = 1; i <= $#; i++)); do
    case "${!i}" in
        -e | --env) next=$((i + 1)); env_file=(--env "${!next:-.env}") ;;
        -e?* | --env=*) env_file=("${!i}") ;;
    esac
done
read -r flower_port flower_user < <(honcho --app-root . run "${env_file[@]}" bash -c \
    'echo "${FLOWER_PORT:-5555} ${CELERY_FLOWER_USER}"' 2>/dev/null || echo "5555 ?")
if [[ "${flower_user}" != "${CELERY_FLOWER_USER}" ]]; then
    login_from="set in .env, which honcho reads over the environment"
fi
echo "stack.sh: Flower at http://127.0.0.1:${flower_port}/ - login ${flower_user} (${login_from})"

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
