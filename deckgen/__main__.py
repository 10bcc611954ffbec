"""`python -m deckgen ...` is the same as the `deckgen` command."""

import sys

from deckgen.cli import main

sys.exit(main())
