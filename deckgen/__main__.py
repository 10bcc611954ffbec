"""`python -m deckgen ...` is the same as the `deckgen` command."""

import sys

from deckgen.cli import command

sys.exit(command())
