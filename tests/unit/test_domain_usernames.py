"""An operator's user name is an OS account name: anything else would be an operator no one can be."""

from __future__ import annotations

import pytest

from oms_core.domain.errors import ValidationError
from oms_core.domain.operators import MAX_USERNAME, check_username


@pytest.mark.parametrize(
    "name", ["olga", "o.petrova", "o_p", "olga-2", "olga@corp.example", "FAX01$", "_svc"]
)
def test_account_names_pass_unchanged(name: str) -> None:
    assert check_username(name) == name


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        ("", "the user name is empty"),
        ("o" * (MAX_USERNAME + 1), f"longer than {MAX_USERNAME} characters"),
        ("Olga Petrova", "is not an OS account name"),
        ("-olga", "is not an OS account name"),
        (".olga", "is not an OS account name"),
        ("olga:x", "is not an OS account name"),
        ("olga$x", "is not an OS account name"),
    ],
)
def test_what_no_account_can_be_called_is_one_line_naming_the_field(name: str, wrong: str) -> None:
    with pytest.raises(ValidationError, match=wrong) as refused:
        check_username(name)
    assert refused.value.field == "username"
    assert "\n" not in str(refused.value)
