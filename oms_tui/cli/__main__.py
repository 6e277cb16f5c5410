"""``python -m oms_tui.cli``: the ``oms`` command."""

from oms_tui.cli import run

if __name__ == "__main__":
    run()
