"""Build oms as an office gets it and prove the installed copy works: ``python tests/release_check.py``.

1. Builds the sdist, then the wheel from the sdist (so a file missing from the sdist fails here too).
2. Checks both carry every migration, stylesheet and mail template, and nothing of tests/ or bench/.
3. Installs the wheel into a new venv in a temporary folder (dependencies from the package index),
   and from that folder, with a configuration file of its own, runs ``oms --version``,
   ``oms db upgrade`` on a new SQLite file, ``oms --version`` again (which names the schema), and
   ``oms`` itself on a pseudo-terminal until the first screen is drawn, then ctrl+q.

``dev.py test`` runs it after the test suite (CI has no terminal; the pseudo-terminal is made here).
``tests/integration/test_release.py`` runs steps 1 and 2. Standard library only.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST_SCREEN_SECONDS = 60
SETTLE_SECONDS = 5


class ReleaseProblem(Exception):
    """The built or installed oms is not what an office should get; the message says why."""


def source_files() -> list[str]:
    """The repository's files as a commit would hold them: tracked, plus new files not ignored."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def build(outdir: Path) -> tuple[Path, Path]:
    """Build the sdist from a clean copy of the sources, then the wheel from the sdist, into ``outdir``.

    The copy matters: setuptools also packs whatever an old ``oms.egg-info/SOURCES.txt`` in the
    checkout lists, which would hide a file that only a stale build put there.

    Returns:
        (sdist, wheel).
    """
    source = outdir / "source"
    for name in source_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(outdir), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ReleaseProblem(f"building failed: {(done.stderr or done.stdout).strip()[-2000:]}")
    (sdist,) = outdir.glob("oms-*.tar.gz")
    (wheel,) = outdir.glob("oms-*.whl")
    return sdist, wheel


def required_files() -> set[str]:
    """Package files (relative to the repository) that the installed oms reads at run time."""
    patterns = (
        "oms_core/storage/migrations/*.py",
        "oms_core/storage/migrations/*.mako",
        "oms_core/storage/migrations/versions/*.py",
        "oms_core/mail/templates/*.txt",
        "oms_tui/styles/*.tcss",
    )
    return {path.relative_to(ROOT).as_posix() for pattern in patterns for path in ROOT.glob(pattern)}


def wheel_files(wheel: Path) -> set[str]:
    """Every file in the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def sdist_files(sdist: Path) -> set[str]:
    """Every file in the sdist, without its top folder (``oms-0.1.0/``)."""
    with tarfile.open(sdist) as archive:
        return {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}


def content_problems(sdist: Path, wheel: Path) -> list[str]:
    """What is missing from, or must not be in, the sdist and the wheel."""
    problems = []
    required = required_files()
    if not any(name.endswith(".tcss") for name in required):
        problems.append("found no stylesheets to check in the repository")
    for kind, files in (("sdist", sdist_files(sdist)), ("wheel", wheel_files(wheel))):
        problems += [f"{kind} lacks {name}" for name in sorted(required - files)]
        problems += [
            f"{kind} carries {name}" for name in sorted(files) if name.split("/")[0] in ("tests", "bench")
        ]
    return problems


def installed_env(home: Path, config: Path) -> dict[str, str]:
    """The environment of an operator on a fresh machine: nothing from this checkout or its venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OMS_", "PYTHON", "VIRTUAL_ENV")) and key != "PATH"
    }
    env.update(HOME=str(home), OMS_CONFIG=str(config), PATH="/usr/bin:/bin", TERM="xterm", LANG="C.UTF-8")
    return env


def install(wheel: Path, folder: Path) -> Path:
    """A new venv in ``folder`` with the wheel installed; returns its ``bin`` folder."""
    venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    bin_dir = folder / "bin"
    quiet = ["--quiet", "--disable-pip-version-check", "--no-input"]
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}  # pip's cache is kept
    done = subprocess.run(
        [bin_dir / "python", "-m", "pip", "install", *quiet, str(wheel)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ReleaseProblem(f"pip could not install {wheel.name}: {done.stderr.strip()[-2000:]}")
    return bin_dir


def run(bin_dir: Path, env: dict[str, str], cwd: Path, *argv: str) -> str:
    """``oms ARGV`` from the installed venv; its standard output, or a problem naming what it said."""
    done = subprocess.run(
        [str(bin_dir / "oms"), *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise ReleaseProblem(f"oms {' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


_ESCAPES = re.compile(
    rb"\x1b\[[0-9;?<>=$]*[A-Za-z~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>]"
)


def first_screen(bin_dir: Path, env: dict[str, str], cwd: Path) -> str:
    """Start ``oms`` on a pseudo-terminal (80x24), wait for the Customers screen, quit with ctrl+q.

    Returns:
        The text drawn (escape sequences removed).
    """
    import fcntl
    import pty
    import struct
    import termios

    size = struct.pack("HHHH", 24, 80, 0, 0)
    pid, terminal = pty.fork()
    if pid == 0:  # the child: size its terminal, then become oms on it
        fcntl.ioctl(0, termios.TIOCSWINSZ, size)
        os.chdir(cwd)
        os.execve(str(bin_dir / "oms"), [str(bin_dir / "oms")], env)
    drawn = b""
    text = ""
    deadline = time.monotonic() + FIRST_SCREEN_SECONDS
    try:
        while "Customers" not in text:  # the first screen's title
            if time.monotonic() > deadline:
                seconds = FIRST_SCREEN_SECONDS
                raise ReleaseProblem(f"no Customers screen within {seconds} s; drew: {text[-300:]!r}")
            drawn += _read(terminal, 0.5)
            text = _ESCAPES.sub(b"", drawn).decode("utf-8", "replace")
            _refuse_an_early_end(pid, terminal, drawn)
        # Then a few seconds more, in which oms opens the database behind the screen, or ends with
        # the reason it cannot. (The screen never goes still: the cursor blinks.)
        settle_by = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < settle_by:
            drawn += _read(terminal, 0.5)
            _refuse_an_early_end(pid, terminal, drawn)
        text = _ESCAPES.sub(b"", drawn).decode("utf-8", "replace")
        os.write(terminal, b"\x11")  # ctrl+q
        status = _wait(pid, terminal)
    finally:
        _wait(pid, terminal, kill=True)
        os.close(terminal)
    if status != 0:
        raise ReleaseProblem(f"oms exited {status} after ctrl+q; drew: {text[-300:]!r}")
    return text


def _refuse_an_early_end(pid: int, terminal: int, drawn: bytes) -> None:
    """Raise, with what oms said last, if it has ended before it was asked to."""
    ended, status = os.waitpid(pid, os.WNOHANG)
    if ended:
        drawn += _read(terminal, 0.2)  # its last words (the one-line reason) come last
        text = _ESCAPES.sub(b"", drawn).decode("utf-8", "replace").strip()
        code = os.waitstatus_to_exitcode(status)
        raise ReleaseProblem(f"oms ended by itself (exit {code}): {text[-300:]!r}")


def _read(terminal: int, timeout: float) -> bytes:
    ready, _, _ = select.select([terminal], [], [], timeout)
    if not ready:
        return b""
    try:
        return os.read(terminal, 65536)
    except OSError:  # the other end closed: oms has exited
        return b""


def _wait(pid: int, terminal: int, kill: bool = False) -> int | None:
    """Wait for oms to exit (reading what it still draws, so it never blocks on a full terminal)."""
    deadline = time.monotonic() + (0 if kill else 30)
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return None
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return None
        _read(terminal, 0.1)


def check_installed(wheel: Path, folder: Path) -> list[str]:
    """Install ``wheel`` in a venv under ``folder`` and run the office's first commands from there."""
    home = folder / "home"
    home.mkdir()
    database = folder / "office" / "oms.db"
    database.parent.mkdir()
    config = folder / "oms.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{database}"\n\n[office]\nname = "Release check"\n')
    env = installed_env(home, config)
    bin_dir = install(wheel, folder / "venv")
    steps = []
    where = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import oms_tui, oms_core; print(oms_tui.__file__, oms_core.__file__)",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        check=True,
    ).stdout.split()
    if not all(path.startswith(str(folder / "venv")) for path in where):
        raise ReleaseProblem(f"oms was imported from {where}, not from the new venv")
    version = run(bin_dir, env, home, "--version").splitlines()
    if not version or not version[0].startswith("oms "):
        raise ReleaseProblem(f"oms --version printed {version!r}")
    steps.append(version[0])
    steps.append(run(bin_dir, env, home, "db", "upgrade").strip())
    schema = run(bin_dir, env, home, "--version").splitlines()
    if len(schema) != 2 or "(up to date)" not in schema[1]:
        raise ReleaseProblem(f"oms --version after the upgrade printed {schema!r}")
    steps.append(schema[1])
    screen = first_screen(bin_dir, env, home)
    steps.append(f"first screen drawn ({len(screen):,} characters), ctrl+q exited 0")
    return steps


def main() -> int:
    """Build, inspect, install, run; print each step; exit 1 with the reason on the first problem."""
    with tempfile.TemporaryDirectory(prefix="oms-release-") as temporary:
        folder = Path(temporary)
        try:
            print("release: building the sdist and the wheel", flush=True)
            sdist, wheel = build(folder / "dist")
            problems = content_problems(sdist, wheel)
            if problems:
                raise ReleaseProblem("; ".join(problems))
            print(f"release: {sdist.name} and {wheel.name} carry what oms needs", flush=True)
            print("release: installing the wheel into a new venv outside the checkout", flush=True)
            for step in check_installed(wheel, folder):
                print(f"release: {step}", flush=True)
        except (ReleaseProblem, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            print(f"release: FAILED: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
