#!/usr/bin/env python3
"""Set up and run oms with nothing but Python 3.11+: ``python3 dev.py demo`` or ``python3 dev.py test``.

``demo``  creates ``.venv``, installs oms into it, creates and seeds a demo SQLite database, starts the app.
``test``  creates ``.venv``, installs oms with its test tools, starts PostgreSQL if it is installed here
          and not running, then runs ruff, import-linter and the whole pytest suite, then (when the
          suite passed and no arguments were given) ``release``.
``release`` builds the sdist and the wheel, installs the wheel into a new venv in a temporary folder
          and runs it there: ``oms --version``, ``oms db upgrade``, the first screen (tests/release_check.py).

Anything after the command is passed on: ``python3 dev.py test tests/unit -x``,
``python3 dev.py demo --help``. Standard library only: this runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".oms-installed"


def _run(*args: str | Path, check: bool = True, **kwargs: object) -> int:
    return subprocess.run([str(a) for a in args], check=check, **kwargs).returncode  # type: ignore[call-overload]


def ensure_venv(extras: str) -> None:
    """Create .venv and install the project (editable) unless the same install is already there."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs before pyproject is read
        sys.exit(f"oms needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and (BIN / "oms").exists():
        return
    if not (BIN / "python").exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print(f"Installing oms{extras} into .venv (first run only) ...", flush=True)
    quiet = ["--quiet", "--disable-pip-version-check", "--no-input"]
    _run(BIN / "python", "-m", "pip", "install", *quiet, "--upgrade", "pip")
    _run(BIN / "python", "-m", "pip", "install", *quiet, "-e", f"{ROOT}{extras}")
    STAMP.write_text(wanted)


def ensure_postgres() -> None:
    """Start the local PostgreSQL cluster if it is installed but not accepting connections."""
    if shutil.which("pg_isready") is None:
        return
    if _run("pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432", check=False) == 0:
        return
    clusters = Path("/etc/postgresql")
    if shutil.which("pg_ctlcluster") is None or not clusters.is_dir():
        return
    for version in sorted(p.name for p in clusters.iterdir()):
        print(f"Starting PostgreSQL {version} ...", flush=True)
        _run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start", check=False)
    for _ in range(30):
        if _run("pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432", check=False) == 0:
            return
        _run("sleep", "1")


def demo(args: list[str]) -> int:
    """Install, then ``oms demo``."""
    ensure_venv("")
    os.execv(BIN / "oms", [str(BIN / "oms"), "demo", *args])
    return 0


def test(args: list[str]) -> int:
    """Install with test tools, then lint, check the layering and run pytest."""
    ensure_venv("[dev]")
    ensure_postgres()
    os.chdir(ROOT)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    steps = [
        [BIN / "ruff", "check", "."],
        [BIN / "ruff", "format", "--check", "."],
        [BIN / "lint-imports"],
    ]
    if not args:
        for step in steps:
            print(
                "$", " ".join(str(part.name if isinstance(part, Path) else part) for part in step), flush=True
            )
            if _run(*step, check=False, env=env) != 0:
                return 1
    pytest_args = args or ["-n", "2", "--dist", "loadgroup"]
    pytest = [BIN / "python", "-m", "pytest", "-p", "no:cacheprovider", *pytest_args]
    status = _run(*pytest, check=False, env=env)
    if status != 0 or args:
        return status
    return release(args)


def release(args: list[str]) -> int:
    """Build the sdist and the wheel, install the wheel into a new venv outside the checkout and
    start it there (``oms --version``, ``oms db upgrade``, the first screen on a pseudo-terminal).
    """
    ensure_venv("[dev]")
    print("$ python tests/release_check.py", flush=True)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return _run(BIN / "python", ROOT / "tests" / "release_check.py", *args, check=False, env=env)


def main() -> int:
    """Dispatch ``demo``, ``test`` or ``release``."""
    commands = {"demo": demo, "test": test, "release": release}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
