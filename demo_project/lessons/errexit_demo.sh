#!/usr/bin/env bash
# `set -o errexit`: the same three steps run twice; only the guarded run stops at the failure.
run_steps() {
    echo "  step 1 ok"
    false  # a command that fails (exit status 1)
    echo "  step 3 still ran after the failure"
}
export -f run_steps

echo "without errexit:"
bash -c 'run_steps' || true
echo "with errexit:"
bash -c 'set -o errexit; run_steps' || echo "  stopped at the failing step, status $?"
