#!/usr/bin/env bash
# Installs the Debian packages the test suite drives and NuGet/npm cannot provide: shellcheck (script checks) and
# chromium (the end-to-end suite's browser step). Does nothing when they are already there.
set -euo pipefail

packages=()
command -v shellcheck >/dev/null || packages+=(shellcheck)
# AZORA_CHROMIUM_PATH names another Chromium-based browser instead (CI runners bring Google Chrome).
[[ -x ${AZORA_CHROMIUM_PATH:-/usr/bin/chromium} ]] || packages+=(chromium)
[[ ${#packages[@]} -eq 0 ]] && exit 0

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
echo "installing ${packages[*]} from Debian's packages"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
