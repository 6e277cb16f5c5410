"""Operators and what their role allows."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    """Roles, each allowing everything the one before allows."""

    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Ordering of roles: operator < supervisor < admin."""
        return _RANKS[self]


_RANKS = {Role.OPERATOR: 0, Role.SUPERVISOR: 1, Role.ADMIN: 2}

SUPERUSER = "root"
"""The server's root account: an admin whether or not it is listed (it owns the machine anyway)."""

MAX_USERNAME = 64
"""The longest operator name the audit trail and the operators table hold."""


def acting_name(admin: str, operator: str) -> str:
    """How the audit trail names an admin acting as another operator: ``root as olga``."""
    return f"{admin} as {operator}"[:MAX_USERNAME]


@dataclass(frozen=True, slots=True)
class Operator:
    """A person who places orders; the OS user name by default."""

    username: str
    role: Role = Role.OPERATOR
    name: str = ""

    def at_least(self, role: Role) -> bool:
        """True when this operator's role is ``role`` or higher."""
        return self.role.rank >= role.rank
