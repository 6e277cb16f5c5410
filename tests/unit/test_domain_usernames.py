"""An operator's user name is an OS account name: anything else would be an operator no one can be."""

from __future__ import annotations

import pytest

from oms_core.domain.errors import ValidationError
from oms_core.domain.operators import MAX_ACCOUNT_NAME, check_username
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.context import ServiceContext
from oms_core.services.registry import Services
from tests.fakes import FakeUnitOfWorkFactory, FixedClock


@pytest.mark.parametrize(
    "name", ["olga", "o.petrova", "o_p", "olga-2", "olga@corp.example", "FAX01$", "_svc", "o" * 32, "7up"]
)
def test_account_names_pass_unchanged(name: str) -> None:
    assert check_username(name) == name


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        ("", "the user name is empty"),
        ("o" * (MAX_ACCOUNT_NAME + 1), "longer than 32 characters, the most an OS account name has"),
        ("o" * 40, "longer than 32 characters"),
        ("1042", "not all digits"),
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


@pytest.mark.parametrize("name", ["1042", "o" * 33, "Olga Petrova"])
def test_the_operator_service_refuses_such_a_name_and_saves_nothing(
    fake_factory: FakeUnitOfWorkFactory, clock: FixedClock, name: str
) -> None:
    services = Services.build(ServiceContext(fake_factory, TestGateway(clock), clock, "root"))
    with pytest.raises(ValidationError) as refused:
        services.operators.save(name, "supervisor")
    assert refused.value.field == "username"
    with fake_factory(write=False) as uow:
        assert uow.reference.operator(name) is None
    assert services.operators.save("olga", "supervisor").role.value == "supervisor"
