"""``oms gateway check`` against a local Stripe-shaped server, and the key file's safety rules."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from oms_core.bootstrap import Config, build
from oms_core.config import load_config
from oms_core.payments.stripe_gateway import StripeGateway
from oms_core.payments.test_gateway import TestGateway
from oms_tui.cli import main
from tests.fake_stripe import FakeStripe, running_fake_stripe

KEY = "sk_test_51CliCheckKeyThatMustNeverBePrinted000"


def oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with running_fake_stripe() as fake:
        yield fake


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "stripe.key"
    path.write_text(KEY + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def stripe_env(monkeypatch: pytest.MonkeyPatch, fake: FakeStripe, key_file: Path, tmp_path: Path) -> None:
    config = tmp_path / "oms.toml"
    config.write_text(f'[gateway]\nsecret_key_file = "{key_file}"\napi_base = "{fake.url}"\n')
    monkeypatch.setenv("OMS_CONFIG", str(config))
    monkeypatch.setenv("OMS_GATEWAY", "stripe")  # the environment overrides the file's kind (test)


def test_the_check_says_the_key_works_and_is_a_test_key(stripe_env: None, fake: FakeStripe) -> None:
    status, out, err = oms("gateway", "check")
    assert status == 0, err
    assert out.startswith("stripe (test key): the key works")
    assert [r.path for r in fake.requests] == ["/v1/balance"]
    assert KEY not in out + err


def test_the_check_says_when_stripe_refuses_the_key(stripe_env: None, fake: FakeStripe) -> None:
    fake.faults.append("401")
    status, out, err = oms("gateway", "check")
    assert status == 1
    assert "refused the key" in err
    assert KEY not in out + err


def test_a_key_file_others_can_read_is_refused_with_a_clear_line(stripe_env: None, key_file: Path) -> None:
    key_file.chmod(0o644)
    status, out, err = oms("gateway", "check")
    assert status == 1
    assert "open to group or others" in err and "chmod 600" in err
    assert KEY not in out + err
    assert "Traceback" not in err


def test_without_a_key_file_stripe_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "oms.toml"
    config.write_text('[gateway]\nkind = "stripe"\n')
    monkeypatch.setenv("OMS_CONFIG", str(config))
    status, _, err = oms("gateway", "check")
    assert status == 1
    assert "secret_key_file" in err


def test_help_never_shows_the_key(stripe_env: None) -> None:
    for argv in (["--help"], ["gateway", "--help"], ["gateway", "check", "--help"]):
        _, out, err = oms(*argv)
        assert KEY not in out + err


def test_the_office_gets_stripe_and_the_demo_keeps_the_test_gateway(stripe_env: None, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'oms.db'}"
    from oms_core.bootstrap import upgrade_database

    upgrade_database(url)
    office_config = load_config()
    office = build(Config(url, operator="alice", office=office_config))
    demo = build(Config(url, operator="alice", office=office_config, test_gateway=True))
    try:
        assert isinstance(office.gateway, StripeGateway)
        assert isinstance(demo.gateway, TestGateway)
    finally:
        office.close()
        demo.close()
