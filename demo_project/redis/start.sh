#!/usr/bin/env bash
# Start the demo's Redis (broker + result backend) on 127.0.0.1:${REDIS_PORT:-6379} with the config
# file kept next to this script and data in DEMO_VAR_DIR/redis (var/redis in a checkout, the user's
# state folder for an installed package; see start-common.sh).
# If a Redis already answers on that port (a system service, say), it is used instead: this script
# says so and stays in the foreground watching it, because under honcho a process that exits would
# stop the whole stack.
set -o errexit
set -o nounset

cd "$(dirname "${BASH_SOURCE[0]}")/.."  # demo_project/

source ./start-common.sh "redis/start.sh"

port="${REDIS_PORT:-6379}"
server="${REDIS_SERVER:-redis-server}"  # another build can be named here
cli="${REDIS_CLI:-redis-cli}"

answers_ping() {
    command -v "${cli}" >/dev/null 2>&1 &&
        [[ "$("${cli}" -h 127.0.0.1 -p "${port}" ping 2>/dev/null)" == PONG ]]
}

if answers_ping; then
    echo "redis/start.sh: a Redis already answers on 127.0.0.1:${port}; using it instead of starting one"
    while answers_ping; do
        sleep 5
    done
    echo "redis/start.sh: the Redis on 127.0.0.1:${port} stopped answering" >&2
    exit 1
fi

if ! command -v "${server}" >/dev/null 2>&1; then
    echo "redis/start.sh: ${server} not found; install it with: sudo apt-get install redis-server" \
         "(Debian/Ubuntu) or brew install redis (macOS)" >&2
    exit 127
fi

data_dir="${DEMO_VAR_DIR}/redis"  # DEMO_VAR_DIR: set by start-common.sh
mkdir -p "${data_dir}"
# Absolute: Redis has already changed into the config's dir when it reads --dir.
data_dir="$(cd "${data_dir}" && pwd)"
exec "${server}" redis/redis.conf --port "${port}" --dir "${data_dir}"
