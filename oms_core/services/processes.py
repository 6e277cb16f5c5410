"""Which process is waiting on a gateway call, and whether it still lives (one office server)."""

from __future__ import annotations

import os
import socket


def this_process() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_alive(owner: str) -> bool:
    """Whether the process ``host:pid`` may still be running.

    Only a process on this host can be seen dead; one elsewhere counts as alive (its calls are
    reconciled once they are stale instead).
    """
    host, _, pid_text = owner.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return bool(owner)
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another account's process: alive
    return True
