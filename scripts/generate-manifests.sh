#!/usr/bin/env bash
# Regenerates manifests/ (Kubernetes base and overlays) from the AppHost's Aspire model. Commit the result; the test
# suite fails while manifests/ differs from what this writes. Extra arguments go to the generator.
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run --project Azora.Manifests -- "$@"
