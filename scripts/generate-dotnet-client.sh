#!/usr/bin/env bash
# Regenerates sdk/dotnet/Azora.Client/Generated/ (the .NET SDK's request builders and models) from the checked-in
# openapi/v1.json with Kiota, the dotnet tool pinned in .config/dotnet-tools.json. Commit the result: the test suite
# fails while Generated/ differs from what this writes (Azora.Tests/Sdk/DotNetClientGenerationTests.cs).
# With an argument, writes to that folder instead (the drift test writes to a temporary one).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-sdk/dotnet/Azora.Client/Generated}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

dotnet tool restore >/dev/null
# JSON is the API's only body format, so only Kiota's JSON serializer is registered (no Form, Text or Multipart
# packages to depend on). The document lists three servers on purpose; the client takes its base address from the
# HttpClient, so Kiota's warning about them is turned off. Kiota's console output (its update check, which fails
# offline, and its hints) is shown only when generation fails; its warnings about the document are printed below.
if ! KIOTA_TUTORIAL_ENABLED=false dotnet kiota generate \
  --openapi openapi/v1.json \
  --language CSharp \
  --class-name AzoraApiClient \
  --namespace-name Azora.Client.Generated \
  --exclude-backward-compatible \
  --structured-mime-types application/json \
  --serializer Microsoft.Kiota.Serialization.Json.JsonSerializationWriterFactory \
  --deserializer Microsoft.Kiota.Serialization.Json.JsonParseNodeFactory \
  --disable-validation-rules MultipleServerEntries \
  --log-level Warning \
  --output "$work/Generated" >"$work/kiota.out" 2>&1; then
  cat "$work/kiota.out" >&2
  exit 1
fi
grep -v 'Unable to check for updates' "$work/Generated/.kiota.log" | sed 's/^/kiota: /' >&2 || true
rm "$work/Generated/.kiota.log"

# Kiota records the description's path relative to where it wrote; record it relative to the committed folder, so
# the lock file is the same wherever the generator was pointed.
sed -i 's|"descriptionLocation": "[^"]*"|"descriptionLocation": "../../../../openapi/v1.json"|' "$work/Generated/kiota-lock.json"

rm -rf "$target"
mkdir -p "$(dirname "$target")"
cp -r "$work/Generated" "$target"
echo "Wrote $target from openapi/v1.json (Kiota $(dotnet kiota --version | cut -d+ -f1))."
