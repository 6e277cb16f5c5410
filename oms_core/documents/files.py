"""Write order documents into a folder, one PDF per order, named so a day's batch sorts by number."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from oms_core.documents.office import OfficeDetails
from oms_core.documents.pdf import DocumentKind, render
from oms_core.domain.errors import ValidationError
from oms_core.output_files import check_output_path, write_atomically
from oms_core.read_models import OrderView


def document_name(kind: DocumentKind, number: int) -> str:
    """``invoice-1501.pdf`` or ``packing-slip-1501.pdf``."""
    return f"{kind.value}-{number}.pdf"


def write_documents(
    kind: DocumentKind, orders: Sequence[OrderView], office: OfficeDetails, folder: Path
) -> list[Path]:
    """Render every order first, then write each PDF into ``folder``.

    Nothing is written unless every order can be printed and every target can be written (the
    rules of :mod:`oms_core.output_files`: an existing folder, regular files only); each file
    appears whole, so a reader never sees half a PDF.

    Args:
        kind: invoice or packing slip.
        orders: placed (or later) orders, in the order to write them.
        office: the sender block.
        folder: an existing folder; it is never created.

    Returns:
        The files written, in the order of ``orders``.

    Raises:
        ValidationError: a draft among the orders.
        UnwritableOutput: the folder is missing, or a target is not a regular writable file.
    """
    for order in orders:
        if order.number is None:
            raise ValidationError(
                f"order {order.id} is a draft: only placed orders are printed", field="order"
            )
    targets = [check_output_path(folder / document_name(kind, order.number or 0)) for order in orders]
    rendered = [render(kind, order, office) for order in orders]
    for target, content in zip(targets, rendered, strict=True):
        write_atomically(target, lambda temporary, content=content: temporary.write_bytes(content))
    return targets
