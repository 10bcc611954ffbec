#!/usr/bin/env bash
# Why beat's start script runs `rm -f celerybeat.pid` first. Celery already ignores a pid file
# whose PID is dead; it refuses to start when the PID belongs to a live process. In a restarted
# container PIDs start again from 1, so the old file often names a live, unrelated process.
set -o errexit -o nounset -o pipefail

dir="$(mktemp -d)"
trap 'rm -rf "${dir}"' EXIT
pidfile="${dir}/celerybeat.pid"
beat=(celery -A config.celery_app beat --pidfile="${pidfile}" --schedule="${dir}/schedule")

echo $$ > "${pidfile}"  # a leftover file that happens to name a live process: this shell
echo "1) celerybeat.pid names a live PID ($$):"
# --foreground: timeout stays in our process group, so stopping the group reaches beat too.
timeout --foreground 30 "${beat[@]}" 2>&1 | grep -E "Pidfile|already running" \
    | sed -e "s|${dir}|<tmp>|g" -e 's/^/   /' || true

rm -f "${pidfile}"
echo "2) after rm -f celerybeat.pid:"
"${beat[@]}" --loglevel=info > "${dir}/beat.log" 2>&1 &
beat_pid=$!
for _ in $(seq 300); do
    grep -q "beat: Starting" "${dir}/beat.log" && break
    sleep 0.1
done
grep -m1 -o "beat: Starting..." "${dir}/beat.log" | sed 's/^/   /' || true
kill "${beat_pid}"
wait "${beat_pid}" || true
