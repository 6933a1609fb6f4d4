#!/usr/bin/env bash
# Regenerates the generated half of every SDK from the checked-in openapi/v1.json (run scripts/update-openapi.sh first
# when the API changed): the .NET client (Kiota), the TypeScript types (openapi-typescript) and the Python models and
# operations (sdk/python/scripts/generate.py). Commit the result: each SDK has a drift test that fails otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/generate-dotnet-client.sh
npm ci --prefix sdk/typescript --no-audit --no-fund --loglevel=error
npm run generate --prefix sdk/typescript --silent
/usr/bin/python3 sdk/python/scripts/generate.py
