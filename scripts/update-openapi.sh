#!/usr/bin/env bash
# Regenerates openapi/v1.json, the API's contract, from the API itself: builds Azora.Api, whose build writes the
# document to Azora.Api/obj/openapi/v1.json (Microsoft.Extensions.ApiDescription.Server), and copies it here with
# 2-space indentation and a trailing newline. Commit the result: the tests fail while the checked-in document differs
# from what the build generates or the running API serves. Extra arguments go to `dotnet build`.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "python3 is required to format the document (Debian: apt-get install python3)" >&2; exit 1; }

generated=Azora.Api/obj/openapi/v1.json
dotnet build Azora.Api --nologo --verbosity quiet "$@"
[[ -f "$generated" ]] || { echo "The build wrote no $generated" >&2; exit 1; }

# json.tool keeps the members in the generator's order and escapes non-ASCII, so the same API gives the same bytes.
python3 -m json.tool --indent 2 "$generated" > openapi/v1.json.tmp
mv openapi/v1.json.tmp openapi/v1.json
echo "openapi/v1.json updated from $generated"
