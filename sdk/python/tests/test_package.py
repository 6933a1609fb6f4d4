"""The package builds and installs offline with Debian's setuptools (pip --no-build-isolation, no index)."""
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


def test_it_builds_a_wheel_and_installs_from_it_without_a_network(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info", ".pytest_cache"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    built = subprocess.run([*pip, "wheel", "--no-build-isolation", "--no-index", "--no-deps", "-w", str(tmp_path / "dist"), str(source)],
                           capture_output=True, text=True, timeout=170)
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = list((tmp_path / "dist").glob("azora_sdk-*-py3-none-any.whl"))
    assert len(wheels) == 1, list((tmp_path / "dist").iterdir())

    installed = subprocess.run([*pip, "install", "--no-index", "--no-deps", "--target", str(tmp_path / "site"), str(wheels[0])],
                               capture_output=True, text=True, timeout=170)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    site = tmp_path / "site"
    assert (site / "azora_sdk" / "py.typed").is_file()
    assert (site / "azora_sdk" / "_generated" / "models.py").is_file()

    probe = subprocess.run(
        [sys.executable, "-c", "import azora_sdk, sys; print(azora_sdk.__file__); print(azora_sdk.__version__);"
                               "print(azora_sdk.AzoraClient('http://localhost:1').list_courses.__name__)"],
        capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"})
    assert probe.returncode == 0, probe.stderr
    where, version, method = probe.stdout.split()
    assert where.startswith(str(site)) and method == "list_courses"
    metadata = next(site.glob("azora_sdk-*.dist-info")) / "METADATA"
    text = metadata.read_text()
    assert f"Version: {version}" in text and "Requires-Dist: httpx" in text
