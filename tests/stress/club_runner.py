"""A process that processes a club shipment, printing ``chunk`` after each chunk (to be killed)."""

from __future__ import annotations

import sys

from oms_core.bootstrap import Config, build


def main(url: str, shipment_id: int) -> None:
    """Process the shipment to the end (or until killed)."""
    application = build(Config(url, operator="clubrunner"))

    def progress(step: object) -> None:
        if getattr(step, "done", 0):
            print("chunk", flush=True)

    application.services.clubs.process(shipment_id, progress=progress)
    print("finished", flush=True)
    application.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
