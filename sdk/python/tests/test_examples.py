"""The README's examples are the files in examples/, and each runs against the live API."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, API_URL, live

PACKAGE = Path(__file__).resolve().parents[1]
README = (PACKAGE / "README.md").read_text()
EXAMPLES = sorted(p.name for p in (PACKAGE / "examples").glob("*.py"))


def embedded():
    return {m.group(1): m.group(2) for m in re.finditer(r"<!-- example: examples/(\S+) -->\n```python\n(.*?)```", README, re.S)}


def test_every_example_is_in_the_readme_exactly():
    shown = embedded()
    assert sorted(shown) == EXAMPLES, "each examples/*.py appears in README.md under <!-- example: examples/NAME -->"
    for name in EXAMPLES:
        assert shown[name] == (PACKAGE / "examples" / name).read_text(), (
            f"README.md shows another version of examples/{name}: paste the file into the README")


EXPECTED = {
    "quickstart.py": [r"^Programming: \d+ courses$", r"^\d+ free courses, first: .+", r"^enrolled \(active\); 1/\d+ lessons done$",
                      r"costs \d+ [A-Z]{3}: verify the email first$"],
    "async_catalog.py": [r"^.+: \d+ lessons, \d+ min$", r"^\d+ courses in the catalog$"],
    "webhook_receiver.py": [r"^verified ping event [0-9a-f-]{36} for subscription [0-9a-f-]{36}$", r"^delivery [0-9a-f-]{36}: delivered$"],
}


@live
@pytest.mark.parametrize("name", EXAMPLES)
def test_the_example_runs(name):
    assert name in EXPECTED, f"say what examples/{name} prints in EXPECTED"
    env = {**os.environ, "AZORA_API_URL": API_URL, "PYTHONPATH": str(PACKAGE), "PYTHONDONTWRITEBYTECODE": "1",
           "AZORA_EMAIL": ADMIN_EMAIL, "AZORA_PASSWORD": ADMIN_PASSWORD}
    result = subprocess.run([sys.executable, str(PACKAGE / "examples" / name)], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    for pattern in EXPECTED[name]:
        assert re.search(pattern, result.stdout, re.M), f"{name} printed no line like {pattern!r}:\n{result.stdout}"
