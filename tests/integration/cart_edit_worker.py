"""Another operator's process: adds a line to a cart and exits (python -m ... URL DRAFT SKU)."""

from __future__ import annotations

import sys

from oms_core.bootstrap import Config, build


def main() -> None:
    url, draft_id, sku = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    app = build(Config(url, operator="bob"))
    try:
        app.services.cart.add_lines(draft_id, [(sku, 1)])
    finally:
        app.close()
    print("edited")


if __name__ == "__main__":
    main()
