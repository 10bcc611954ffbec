"""`python -m deckgen ...` is the same as the `deckgen` command."""

import sys

from deckgen.cli import command

if __name__ == "__main__":  # not again when a forkserver worker imports the main module
    sys.exit(command())
