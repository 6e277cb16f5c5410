"""A customer's story: their orders (with the status now), shipments with tracking, call notes and
the mail sent to them, newest first in one list, so "where is my order?" is answered from the
customer's record. Returns join it when they are built.
"""

from __future__ import annotations

from oms_core.read_models import StoryPage, StoryPosition
from oms_core.services.context import ServiceContext

PAGE = 50
MAX_PAGE = 200


class StoryService:
    """Reads a customer's story a page at a time."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def page(self, customer_id: int, after: StoryPosition | None = None, limit: int = PAGE) -> StoryPage:
        """The newest ``limit`` events older than ``after`` (keyset paging, one read).

        Raises:
            NotFound: no such customer.
        """
        limit = min(max(limit, 1), MAX_PAGE)
        with self._ctx.read() as uow:
            events = uow.story.page(customer_id, limit + 1, after)
            if not events and after is None:
                uow.customers.get(customer_id)  # no story at all: raises NotFound if no such customer
        more = len(events) > limit
        events = events[:limit]
        return StoryPage(tuple(events), StoryPosition.after(events[-1]) if more and events else None)
