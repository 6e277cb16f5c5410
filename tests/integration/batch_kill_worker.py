"""A process that runs a bulk order and hangs after its first chunk, to be killed there."""

from __future__ import annotations

import sys
import time

from oms_core.bootstrap import Config, build


def main(url: str, batch_id: int) -> None:
    """Run the batch a chunk of 4 at a time; after the first chunk, print ``chunk`` and wait."""
    application = build(Config(url, operator="root"))

    def progress(step: object) -> None:
        if getattr(step, "done", 0):
            print("chunk", flush=True)
            time.sleep(120)  # the test kills the process here, the run lock held

    application.services.bulk.run(batch_id, progress=progress, chunk_size=4)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
