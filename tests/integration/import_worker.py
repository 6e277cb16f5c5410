"""An operator process importing a file that dies part-way: ``python -m tests.integration.import_worker``.

Arguments: database URL, file, purchaser id, the progress stage at which to die (``placing`` after
the first chunk, or ``saving`` just before the commit), and ``one`` or ``each`` payment.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from oms_core.bootstrap import Config, build
from oms_core.spreadsheets.reader import read_order_file


def main(url: str, file: str, purchaser_id: str, die_at: str, mode: str) -> None:
    """Run the import and kill the process (no cleanup, no rollback) at ``die_at``."""
    application = build(Config(url, operator="killed"))
    services = application.services
    parsed = read_order_file(Path(file))
    payment = services.imports.choose_payment(int(purchaser_id), "card_on_file")

    def progress(stage: str, done: int, total: int) -> None:
        if stage == die_at and done > 0:
            print(f"dying at {stage} {done}/{total}", flush=True)
            os._exit(9)

    services.imports.run(parsed, int(purchaser_id), payment, one_payment=mode == "one", progress=progress)
    print("finished without dying", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:6])
