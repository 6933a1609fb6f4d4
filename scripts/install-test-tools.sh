#!/usr/bin/env bash
# Installs the Debian packages the test suite drives and NuGet/npm cannot provide: shellcheck (script checks),
# chromium (the end-to-end suite's browser step), and for the Python SDK's tests (sdk/python, run on Debian's
# /usr/bin/python3: PyPI is not needed) httpx, pytest, mypy, and setuptools with pip to build the package offline.
# Does nothing when they are already there.
set -euo pipefail

packages=()
command -v shellcheck >/dev/null || packages+=(shellcheck)
# AZORA_CHROMIUM_PATH names another Chromium-based browser instead (CI runners bring Google Chrome).
[[ -x ${AZORA_CHROMIUM_PATH:-/usr/bin/chromium} ]] || packages+=(chromium)
python_module() { [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c "import $1" 2>/dev/null; }
python_module httpx || packages+=(python3-httpx)
python_module pytest || packages+=(python3-pytest)
python_module mypy || packages+=(mypy)
python_module setuptools || packages+=(python3-setuptools)
python_module pip || packages+=(python3-pip)
[[ ${#packages[@]} -eq 0 ]] && exit 0

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
echo "installing ${packages[*]} from Debian's packages"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
