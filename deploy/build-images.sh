#!/usr/bin/env bash
# Builds the service images with the .NET SDK's container support (no Dockerfile) and pushes them to the registry.
#   deploy/build-images.sh --tag TAG [--dry-run]
# The registry is $AZORA_IMAGE_REGISTRY (default ghcr.io/azora-world); log in first (docker login, or the SDK's
# DOTNET_CONTAINER_REGISTRY_UNAME / DOTNET_CONTAINER_REGISTRY_PWORD).
source "$(dirname "$0")/lib.sh"

tag=""
parse_options tag=tag -- "$@"
require_tag "$tag"
registry=${IMAGE_REGISTRY%%/*}
prefix=${IMAGE_REGISTRY#*/}

for project in Api Payments Migrations; do
  name=$(tr '[:upper:]' '[:lower:]' <<<"$project")
  run dotnet publish "Azora.$project/Azora.$project.csproj" --configuration Release -t:PublishContainer \
    "-p:ContainerRegistry=$registry" "-p:ContainerRepository=$prefix/azora-$name" "-p:ContainerImageTags=$tag"
done
if [[ $DRY_RUN == true ]]; then
  echo "dry run: nothing was built"
else
  echo "pushed $IMAGE_REGISTRY/azora-{api,payments,migrations}:$tag"
fi
