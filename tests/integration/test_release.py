"""What an office installs: the sdist and the wheel carry the migrations, the stylesheets and the mail
templates, and nothing of tests/ or bench/. (``tests/release_check.py``, run by ``dev.py test``, also
installs the wheel into a new venv and starts it.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.release_check import build, content_problems, required_files, sdist_files, wheel_files

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build(tmp_path_factory.mktemp("dist"))


def test_the_sdist_and_the_wheel_carry_what_oms_reads_and_no_tests_or_benchmarks(built):
    sdist, wheel = built
    assert content_problems(sdist, wheel) == []


def test_the_check_knows_every_kind_of_file_the_installed_oms_reads(built):
    required = required_files()
    assert "oms_tui/styles/app.tcss" in required
    assert "oms_core/storage/migrations/versions/0001_initial.py" in required
    assert "oms_core/storage/migrations/env.py" in required
    assert any(name.startswith("oms_core/mail/templates/") for name in required)
    sdist, wheel = built
    assert "oms_tui/styles/app.tcss" in wheel_files(wheel) and "pyproject.toml" in sdist_files(sdist)
