#!/usr/bin/env bash
# Prints the nodes and monthly node-hours each environment needs, computed from the committed overlays' resource
# requests at the autoscalers' minimum and maximum (Azora.Manifests/Generation/CapacityPlan.cs). The infrastructure
# guide's "Cost" table is this output; a test fails when they differ.
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run --project Azora.Manifests -- --capacity
