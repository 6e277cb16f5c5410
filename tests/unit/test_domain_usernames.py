"""An operator's user name is an OS account name: anything else would be an operator no one can be."""

from __future__ import annotations

import pytest

from oms_core.domain.errors import ValidationError
from oms_core.domain.operators import MAX_USERNAME, Operator, Role, check_new_username, check_username
from oms_core.payments.test_gateway import TestGateway
from oms_core.services.context import ServiceContext
from oms_core.services.registry import Services
from tests.fakes import FakeUnitOfWorkFactory, FixedClock


@pytest.mark.parametrize(
    "name",
    ["olga", "o.petrova", "o_p", "olga-2", "olga@corp.example", "FAX01$", "_svc", "o" * 32, "7up"]
    + ["firstname.lastname@corp.example.com"],  # a directory account: longer than a local one
)
def test_account_names_pass_unchanged(name: str) -> None:
    assert check_username(name) == name
    assert check_new_username(name) == name


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        ("", "the user name is empty"),
        ("o" * (MAX_USERNAME + 1), "longer than 64 characters"),
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


def test_a_new_operator_is_not_all_digits() -> None:
    assert check_username("1042") == "1042"  # an account a directory may have
    with pytest.raises(ValidationError, match="not all digits") as refused:
        check_new_username("1042")
    assert refused.value.field == "username"


@pytest.mark.parametrize("name", ["1042", "o" * 65, "Olga Petrova"])
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


@pytest.mark.parametrize("name", ["1042", "firstname.lastname@corp.example.com"])
def test_an_operator_already_known_by_such_a_name_can_still_have_their_role_changed(
    fake_factory: FakeUnitOfWorkFactory, clock: FixedClock, name: str
) -> None:
    """The first admin is whoever created the database, whatever their account is called: a rule
    for new names must not lock an existing operator out of role changes.
    """
    with fake_factory(write=True) as uow:
        uow.reference.save_operator(Operator(name, Role.OPERATOR, ""))
        uow.commit()
    services = Services.build(ServiceContext(fake_factory, TestGateway(clock), clock, "root"))
    assert services.operators.save(name, "supervisor").role is Role.SUPERVISOR


def test_a_full_name_longer_than_the_record_holds_is_refused_on_every_backend(
    fake_factory: FakeUnitOfWorkFactory, clock: FixedClock
) -> None:
    """SQLite kept a 300-character name that PostgreSQL refused as a database error."""
    services = Services.build(ServiceContext(fake_factory, TestGateway(clock), clock, "root"))
    with pytest.raises(ValidationError, match="the name is longer than 200 characters") as refused:
        services.operators.save("kim", "operator", name="x" * 201)
    assert refused.value.field == "name"
    with fake_factory(write=False) as uow:
        assert uow.reference.operator("kim") is None
    assert services.operators.save("kim", "operator", name="x" * 200).name == "x" * 200
