"""Open-file-description byte locks (Linux ``F_OFD_*``): held per open file, dropped by the kernel
when the file is closed or its process dies however it dies (``kill -9`` included).

Two opens of one file conflict even inside one process (unlike classic POSIX locks, which belong to
the process), so each thread that marks something opens the file for itself.
"""

from __future__ import annotations

import errno
import fcntl
import os
import struct

SUPPORTED = getattr(fcntl, "F_OFD_SETLK", None) is not None
"""Whether this system has open-file-description locks (without them callers fall back)."""

# struct flock: l_type, l_whence, l_start, l_len, l_pid (0 for OFD locks), with x86-64/arm64 padding.
_FLOCK = "hh4xqqi4x"


def lock_byte(descriptor: int, kind: int, offset: int, wait: bool) -> bool:
    """Set (``fcntl.F_RDLCK``/``F_WRLCK``) or clear (``F_UNLCK``) a lock on byte ``offset``.

    Returns:
        ``False`` when another open file holds a conflicting lock and ``wait`` is false.
    """
    command = getattr(fcntl, "F_OFD_SETLKW" if wait else "F_OFD_SETLK")
    try:
        fcntl.fcntl(descriptor, command, struct.pack(_FLOCK, kind, os.SEEK_SET, offset, 1, 0))
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def held_elsewhere(descriptor: int, offset: int) -> bool:
    """Whether any other open file holds a lock (shared or not) on byte ``offset``; takes none."""
    probe = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, offset, 1, 0)
    answer = fcntl.fcntl(descriptor, getattr(fcntl, "F_OFD_GETLK"), probe)  # noqa: B009 (Linux only)
    return struct.unpack(_FLOCK, answer)[0] != fcntl.F_UNLCK
