"""Write order documents into a folder, one PDF per order, named so a day's batch sorts by number."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path

from oms_core.documents.office import OfficeDetails
from oms_core.documents.pdf import DocumentKind, render
from oms_core.domain.errors import OmsError, ValidationError
from oms_core.read_models import OrderView


def document_name(kind: DocumentKind, number: int) -> str:
    """``invoice-1501.pdf`` or ``packing-slip-1501.pdf``."""
    return f"{kind.value}-{number}.pdf"


def write_documents(
    kind: DocumentKind, orders: Sequence[OrderView], office: OfficeDetails, folder: Path
) -> list[Path]:
    """Render every order first, then write each PDF into ``folder``.

    Nothing is written unless every order can be printed; each file appears whole (written beside
    its final name, then renamed), so a reader never sees half a PDF.

    Args:
        kind: invoice or packing slip.
        orders: placed (or later) orders, in the order to write them.
        office: the sender block.
        folder: an existing folder; it is never created silently.

    Returns:
        The files written, in the order of ``orders``.

    Raises:
        ValidationError: a draft among the orders.
        OmsError: the folder is missing or not a folder, or a target name is not a regular file.
    """
    check_folder(folder)
    for order in orders:
        if order.number is None:
            raise ValidationError(
                f"order {order.id} is a draft: only placed orders are printed", field="order"
            )
    rendered = [
        (folder / document_name(kind, order.number or 0), render(kind, order, office)) for order in orders
    ]
    for target, _ in rendered:
        _check_target(target)
    for target, content in rendered:
        _write_whole(target, content)
    return [target for target, _ in rendered]


def check_folder(folder: Path) -> None:
    """Refuse a folder that does not exist or is not a folder (one line, naming it)."""
    if not folder.exists():
        raise OmsError(f"there is no folder {folder}: create it first")
    if not folder.is_dir():
        raise OmsError(f"{folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OmsError(f"cannot write into {folder}: permission denied")


def _check_target(target: Path) -> None:
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise OmsError(f"{target} exists and is not a regular file: not replaced")


def _write_whole(target: Path, content: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
