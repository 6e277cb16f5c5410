"""``python -m oms_tui.cli``: the ``oms`` command."""

import sys

from oms_tui.cli import main

if __name__ == "__main__":
    sys.exit(main())
