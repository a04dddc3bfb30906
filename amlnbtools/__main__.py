"""``python -m amlnbtools`` runs the command line."""

import sys

from amlnbtools.cli import main

sys.exit(main())
