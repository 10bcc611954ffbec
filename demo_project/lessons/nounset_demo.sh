#!/usr/bin/env bash
# `set -o nounset`: reading a variable that was never set is an error instead of "".
unset GREETING_NAME
echo "without nounset:"
bash -c 'echo "  hello, [${GREETING_NAME}]"'
echo "with nounset:"
bash -c 'set -o nounset; echo "  hello, [${GREETING_NAME}]"' 2>&1 || echo "  stopped, status $?"
echo "a default keeps nounset happy:"
bash -c 'set -o nounset; echo "  hello, [${GREETING_NAME:-world}]"'
