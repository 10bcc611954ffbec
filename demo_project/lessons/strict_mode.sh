#!/usr/bin/env bash
# The start scripts' strict mode, one option at a time, each run without and with it.
run_steps() {
    false  # a command that fails (exit status 1)
    echo "  the step after the failure ran"
}
export -f run_steps
unset GREETING_NAME

echo "errexit, a command fails:"
bash -c 'run_steps' || true
bash -c 'set -o errexit; run_steps' || echo "  with errexit: stopped at the failure, status $?"
echo "nounset, an unset variable is read:"
bash -c 'echo "  hello, [${GREETING_NAME}]"'
bash -c 'set -o nounset; echo "  hello, [${GREETING_NAME}]"' 2>/dev/null \
    || echo "  with nounset: stopped, status $?"
echo "pipefail, the first stage of a pipeline fails:"
bash -c 'false | cat; echo "  pipeline status $?"'
bash -c 'set -o pipefail; false | cat; echo "  with pipefail: pipeline status $?"'
