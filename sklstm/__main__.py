"""``python -m sklstm``: the sklstm command line."""

import sys

from .cli import main

# Worker processes import the main module again, under another name; the guard keeps them
# from running the command line themselves.
if __name__ == "__main__":
    sys.exit(main())
