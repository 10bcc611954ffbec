#!/usr/bin/env bash
# `set -o pipefail`: a pipeline fails when any stage fails, not only the last one.
echo "without pipefail:"
bash -c 'false | cat; echo "  pipeline status $?"'
echo "with pipefail:"
bash -c 'set -o pipefail; false | cat; echo "  pipeline status $?"'
