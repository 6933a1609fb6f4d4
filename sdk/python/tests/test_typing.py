"""The package is typed: mypy --strict passes on it and on the examples, and catches a misuse of a result."""
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]


def mypy(tmp_path, *targets):
    try:
        import mypy  # noqa: F401
    except ImportError:
        pytest.fail("mypy is not installed: scripts/install-test-tools.sh installs Debian's mypy")
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", str(tmp_path / "cache"),
                           *map(str, targets)], capture_output=True, text=True, cwd=PACKAGE, timeout=170)


def test_the_sdk_and_its_examples_pass_mypy_strict(tmp_path):
    misuse = tmp_path / "misuse.py"
    misuse.write_text(
        "from azora_sdk import AzoraClient\n"
        "client = AzoraClient('http://localhost:5080')\n"
        "ok: str = client.list_courses().data[0].title\n"
        "wrong: int = client.get_course('slug').course.title\n"
        "client.enroll(course=1)\n")
    result = mypy(tmp_path, PACKAGE / "azora_sdk", PACKAGE / "examples", misuse)
    lines = [line for line in result.stdout.splitlines() if ": error:" in line]
    # The only findings are the two deliberate misuses: a str assigned to an int, an unknown keyword argument.
    assert [line for line in lines if not line.startswith(str(misuse))] == [], result.stdout + result.stderr
    assert any(":4: error: Incompatible types in assignment" in line for line in lines), result.stdout
    assert any(":5: error: Unexpected keyword argument \"course\"" in line for line in lines), result.stdout
    assert len(lines) == 2, result.stdout
