#!/usr/bin/env bash
# Deploys a release, by the image digests built for its tag, to an environment and waits for the rollout.
#   deploy/apply.sh staging|production --tag TAG [--digests FILE] [--dry-run]
# The digests come from FILE (default: the one deploy/build-images.sh --tag TAG wrote on this machine); without them
# nothing is deployed. The schema migration Job runs first and must complete before the services roll. In production
# only payments and the idle API colour get the new images; the live colour keeps its image and the Service keeps
# sending it traffic (deploy/switch.sh moves traffic, deploy/promote.sh does the whole blue/green release). The idle
# colour's Deployment records the payments image released with it, so deploy/rollback.sh can return payments with it.
source "$(dirname "$0")/lib.sh"

environment=${1:-}
shift || true
tag=""
digests=""
parse_options tag=tag digests=digests -- "$@"
ns=$(namespace_of "$environment")
require_tag "$tag"
read_digests "${digests:-$(digests_file_of "$tag")}" "$tag"

work="$WORK_ROOT/$environment"
mkdir -p "$work"
overlay="manifests/overlays/$environment"
services=(payments web)

{
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  echo "resources:"
  echo "- $(realpath --relative-to "$work" "$overlay")"
  echo "images:"
  # In production the API's colours get their images from the patches below: an images entry would override them.
  # Only staging runs the Stripe emulator.
  for name in payments migrations web $([[ $environment == production ]] || echo api stripe-emulator); do
    echo "- name: $IMAGE_REGISTRY/azora-$name"
    echo "  digest: \"${IMAGE_DIGESTS[$name]}\""
  done
} >"$work/kustomization.yaml"

if [[ $environment == production ]]; then
  live=""
  read_cluster live blue kubectl get service api --namespace "$ns" --output 'jsonpath={.spec.selector.version}'
  idle=$(other_colour "$live")
  live_image=""
  read_cluster live_image "$(image_of api)" \
    kubectl get deployment "api-$live" --namespace "$ns" --output 'jsonpath={.spec.template.spec.containers[0].image}'
  echo "# live colour: $live (keeps $live_image); deploying $tag to $idle"
  {
    echo "patches:"
    echo "- target: {kind: Service, name: api}"
    echo "  patch: '[{\"op\": \"replace\", \"path\": \"/spec/selector/version\", \"value\": \"$live\"}]'"
    for colour in "$live" "$idle"; do
      image=$live_image
      [[ $colour == "$idle" ]] && image=$(image_of api)
      echo "- target: {kind: Deployment, name: api-$colour}"
      echo "  patch: '[{\"op\": \"replace\", \"path\": \"/spec/template/spec/containers/0/image\", \"value\": \"$image\"}]'"
    done
  } >>"$work/kustomization.yaml"
  services+=("api-$idle")
else
  services+=(api stripe-emulator)
fi

# Rendering is local (no cluster), so a dry run does it too and leaves the result to read in $work.
show kubectl kustomize "$work" --output "$work/rendered.yaml"
kubectl kustomize "$work" --output "$work/rendered.yaml"

# A Job's pod template cannot change, so each deploy replaces the migration Job.
run kubectl delete job migrations --namespace "$ns" --ignore-not-found
run kubectl apply --filename "$work/rendered.yaml" --selector 'app.kubernetes.io/component!=service'
if ! run kubectl wait job/migrations --namespace "$ns" --for condition=complete --timeout "$ROLLOUT_TIMEOUT"; then
  kubectl logs job/migrations --namespace "$ns" --tail 50 >&2 || true
  fail "the schema migration did not complete; the services were not changed"
fi
run kubectl apply --filename "$work/rendered.yaml"
if [[ $environment == production ]]; then
  # An annotation set outside `kubectl apply`, so later applies of this colour (as the live one) keep it.
  run kubectl annotate deployment "api-$idle" --namespace "$ns" --overwrite "$PAYMENTS_IMAGE_ANNOTATION=$(image_of payments)"
fi
for service in "${services[@]}"; do
  run kubectl rollout status "deployment/$service" --namespace "$ns" --timeout "$ROLLOUT_TIMEOUT" ||
    fail "deployment/$service did not become ready; see deploy/rollback.sh"
done
if [[ $DRY_RUN == true ]]; then
  echo "dry run: nothing was changed"
else
  echo "deployed $tag to $environment"
fi
