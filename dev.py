#!/usr/bin/env python3
"""Set up and run trustops with nothing but Python 3.11+.

    python3 dev.py demo    # a local virtualenv, the demo platform on SQLite, served on http://127.0.0.1:8000
    python3 dev.py test    # the same setup plus test tools, then the whole suite on SQLite and PostgreSQL (side by side)

Extra arguments after `test` go to pytest; after `demo` to `trustops demo`.
"""
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
POSTGRES_URL = os.environ.get("TRUSTOPS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m", flush=True)


def setup(lock: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit("trustops needs Python 3.11 or newer.")
    if not PYTHON.exists():
        say(f"creating a virtualenv in {VENV.name}/")
        venv.create(VENV, with_pip=True)
    lock_file = ROOT / "requirements" / f"{lock}.txt"
    wanted = hashlib.sha256(lock_file.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / f".installed-{lock}"
    if stamp.exists() and stamp.read_text() == wanted:
        return
    say(f"installing pinned dependencies ({lock_file.relative_to(ROOT)})")
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "-r", str(lock_file)], check=True)
    subprocess.run([*pip, "install", "--no-deps", "-e", str(ROOT)], check=True)
    for other in VENV.glob(".installed-*"):
        other.unlink()
    stamp.write_text(wanted)


def postgres_reachable() -> bool:
    probe = ("import psycopg,sys\n"
             "try:\n psycopg.connect(sys.argv[1], connect_timeout=3).close()\n"
             "except Exception as e:\n print(e); sys.exit(1)")
    return subprocess.run([str(PYTHON), "-c", probe, POSTGRES_URL], capture_output=True).returncode == 0


def pytest(label: str, env: dict, args: list[str], log: Path | None = None) -> subprocess.Popen:
    """Start one run of the suite; with a log, its output goes there (to be shown when it ends)."""
    say(f"test suite on {label}" + (" (running alongside; its output follows when it ends)" if log else ""))
    out = open(log, "w") if log else None
    return subprocess.Popen([str(PYTHON), "-m", "pytest", *args], cwd=ROOT, env=env, stdout=out,
                            stderr=subprocess.STDOUT if out else None)


def outcome(label: str, run: subprocess.Popen, log: Path | None = None) -> int:
    code = run.wait()
    if log:
        say(f"output of the test suite on {label}")
        sys.stdout.write(log.read_text(errors="replace"))
        sys.stdout.flush()
    if code == 5:
        say(f"{label}: pytest collected no tests — that is a failure")
        return 1
    return code


def run_tests(args: list[str]) -> int:
    setup("test")
    ci = os.environ.get("CI", "").lower() == "true"
    base = {k: v for k, v in os.environ.items() if k != "TRUSTOPS_DATABASE_URL"}
    var = Path(base.pop("TRUSTOPS_VAR_DIR", ROOT / "var" / "test"))
    sqlite_env = {**base, "TRUSTOPS_VAR_DIR": str(var / "sqlite")}
    results = {}
    if postgres_reachable():
        # On PostgreSQL, the tests that touch the database (browser and database-free tests run once, on SQLite).
        # The two runs share nothing but the machine, so they run side by side unless TRUSTOPS_TEST_SERIAL=1.
        postgres_env = {**base, "TRUSTOPS_DATABASE_URL": POSTGRES_URL, "TRUSTOPS_TEST_PERSISTENCE_ONLY": "1",
                        "TRUSTOPS_VAR_DIR": str(var / "postgresql"), "TRUSTOPS_TEST_FUZZ_SHARE": "postgresql"}
        # The API fuzz is the longest part of either run: with both databases, each fuzzes as one of its callers.
        sqlite_env["TRUSTOPS_TEST_FUZZ_SHARE"] = "sqlite"
        if os.environ.get("TRUSTOPS_TEST_SERIAL") == "1":
            results["SQLite"] = outcome("SQLite", pytest("SQLite", sqlite_env, args))
            results["PostgreSQL"] = outcome("PostgreSQL", pytest("PostgreSQL", postgres_env, args))
        else:
            log = var / "postgresql.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            alongside = pytest("PostgreSQL", postgres_env, args, log)
            results["SQLite"] = outcome("SQLite", pytest("SQLite", sqlite_env, args))
            results["PostgreSQL"] = outcome("PostgreSQL", alongside, log)
    else:
        results["SQLite"] = outcome("SQLite", pytest("SQLite", sqlite_env, args))
        if ci:
            say(f"PostgreSQL is not reachable at {POSTGRES_URL}; CI must test on it")
            results["PostgreSQL"] = 1
        else:
            say(f"NOTICE: PostgreSQL is not reachable at {POSTGRES_URL}: the PostgreSQL run (including the "
                "concurrency tests) was SKIPPED. Set TRUSTOPS_TEST_POSTGRES_URL to run it.")
    for label, code in results.items():
        say(f"{label}: {'passed' if code == 0 else f'FAILED (exit {code})'}")
    return 0 if all(code == 0 for code in results.values()) else 1


def run_demo(args: list[str]) -> int:
    setup("base")
    return subprocess.run([str(BIN / "trustops"), "demo", *args], cwd=ROOT).returncode


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test"}:
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    try:
        return run_tests(rest) if command == "test" else run_demo(rest)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
