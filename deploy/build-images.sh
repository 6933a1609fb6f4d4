#!/usr/bin/env bash
# Builds the service images with the .NET SDK's container support (no Dockerfile), pushes them to the registry and
# records the digest the registry holds for each, which is what deploy/apply.sh deploys.
#   deploy/build-images.sh --tag TAG [--digests FILE] [--dry-run]
# The digests go to FILE (default $AZORA_DEPLOY_WORKDIR/images-TAG.digests), one reference a line:
#   ghcr.io/azora-world/azora-api:TAG@sha256:…
# The registry is $AZORA_IMAGE_REGISTRY (default ghcr.io/azora-world); log in first (docker login, or the SDK's
# DOTNET_CONTAINER_REGISTRY_UNAME / DOTNET_CONTAINER_REGISTRY_PWORD).
source "$(dirname "$0")/lib.sh"

tag=""
digests=""
parse_options tag=tag digests=digests -- "$@"
require_tag "$tag"
digests=${digests:-$(digests_file_of "$tag")}
registry=${IMAGE_REGISTRY%%/*}
prefix=${IMAGE_REGISTRY#*/}
results="$WORK_ROOT/build-$tag"
[[ $DRY_RUN == true ]] || mkdir -p "$results" "$(dirname "$digests")"

references=()
for project in Api Payments Migrations Web StripeEmulator; do
  name=$(sed -E 's/([a-z])([A-Z])/\1-\2/g' <<<"$project" | tr '[:upper:]' '[:lower:]')
  rm -f "$results/azora-$name.digest"
  run dotnet publish "Azora.$project/Azora.$project.csproj" --configuration Release -t:PublishContainer \
    "-p:ContainerRegistry=$registry" "-p:ContainerRepository=$prefix/azora-$name" "-p:ContainerImageTags=$tag" \
    --getProperty:GeneratedContainerDigest "--getResultOutputFile:$results/azora-$name.digest"
  [[ $DRY_RUN == true ]] && continue
  digest=$(tr -d '[:space:]' <"$results/azora-$name.digest" 2>/dev/null || true)
  [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || fail "the SDK reported no image digest for azora-$name (got '$digest')"
  references+=("$IMAGE_REGISTRY/azora-$name:$tag@$digest")
done
if [[ $DRY_RUN == true ]]; then
  echo "dry run: nothing was built"
else
  printf '%s\n' "${references[@]}" >"$digests"
  echo "pushed $IMAGE_REGISTRY/azora-{api,payments,migrations,web,stripe-emulator}:$tag; digests in $digests"
fi
