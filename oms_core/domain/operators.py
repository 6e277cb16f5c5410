"""Operators and what their role allows."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from oms_core.domain.errors import ValidationError


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
"""The longest operator name the audit trail and the operators table hold (``ann as sam`` too)."""

MAX_FULL_NAME = 200
"""The longest full name an operator's record holds (``operators.name``)."""

_ACCOUNT_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._@-]*\$?")
"""What an OS account name can be (``useradd``'s rule): letters, digits, ``_``, ``.``, ``-`` (not
first), a trailing ``$`` (a Samba machine account), and ``@`` for a directory's ``user@domain``
accounts (SSSD, winbind), which are OS accounts too; no space, colon or slash."""


def check_username(username: str) -> str:
    """The name of the OS account an operator logs in with, checked.

    An operator is known by the account they connect with (identity is the OS account), so a name
    no account can have ("Olga Petrova", "olga:x") would be an operator nobody can ever be. A
    directory's ``user@domain`` names can be longer than a local account's 32 characters, so the
    limit is the stored width (:data:`MAX_USERNAME`).

    Raises:
        ValidationError: empty, too long, or not an account name (naming what is wrong).
    """
    if not username:
        raise ValidationError("the user name is empty", field="username")
    if len(username) > MAX_USERNAME:
        raise ValidationError(f"the user name is longer than {MAX_USERNAME} characters", field="username")
    if not _ACCOUNT_NAME.fullmatch(username):
        raise ValidationError(
            f"{username!r} is not an OS account name: give the login name "
            "(letters, digits, . _ - @; no spaces), as `whoami` prints it",
            field="username",
        )
    return username


def check_full_name(name: str) -> str:
    """An operator's full name (shown beside the user name), checked.

    Raises:
        ValidationError: longer than :data:`MAX_FULL_NAME` (PostgreSQL would refuse it, SQLite
            keep it: the rule is here, the same on both).
    """
    if len(name) > MAX_FULL_NAME:
        raise ValidationError(f"the name is longer than {MAX_FULL_NAME} characters", field="name")
    return name


def check_new_username(username: str) -> str:
    """:func:`check_username` for an operator not yet known, who also may not be all digits.

    ``useradd`` refuses such names (``chown``, ``ps`` and the like would read them as a uid), and
    ``oms operator add 1042`` is far likelier an employee number typed for the login name. An
    operator already stored under such a name (a directory account, the first admin) can still
    have their role changed.

    Raises:
        ValidationError: as :func:`check_username`, or all digits.
    """
    check_username(username)
    if username.isdigit():
        raise ValidationError(
            f"{username!r} is not an OS account name: an account name is not all digits "
            "(that is a uid); give the login name, as `whoami` prints it",
            field="username",
        )
    return username


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
