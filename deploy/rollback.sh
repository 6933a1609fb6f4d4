#!/usr/bin/env bash
# Undoes the last release of an environment.
#   deploy/rollback.sh staging|production [--to blue|green] [--dry-run]
# Production: traffic goes to the other colour (or to the one given with --to, e.g. the colour that served before a
# failed release), which still runs the previous release, and the payments worker returns to the image released with
# that colour. Staging: the services roll back to their previous ReplicaSet.
source "$(dirname "$0")/lib.sh"

environment=${1:-}
shift || true
to=""
parse_options to=to -- "$@"
ns=$(namespace_of "$environment")
dry=()
[[ $DRY_RUN == true ]] && dry=(--dry-run)

if [[ $environment == production ]]; then
  if [[ -z $to ]]; then
    live=""
    read_cluster live blue kubectl get service api --namespace "$ns" --output 'jsonpath={.spec.selector.version}'
    to=$(other_colour "$live")
  fi
  other_colour "$to" >/dev/null
  payments_image=""
  read_cluster payments_image "" kubectl get deployment "api-$to" --namespace "$ns" \
    --output "jsonpath={.metadata.annotations.${PAYMENTS_IMAGE_ANNOTATION//./\\.}}"
  deploy/switch.sh --to "$to" "${dry[@]}"
  if [[ -z $payments_image ]]; then
    echo "# api-$to records no payments image; the payments worker is left as it is"
    exit
  fi
  run kubectl patch deployment payments --namespace "$ns" --type json \
    --patch "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"$payments_image\"}]"
  run kubectl rollout status deployment/payments --namespace "$ns" --timeout "$ROLLOUT_TIMEOUT"
  if [[ $DRY_RUN == true ]]; then
    echo "dry run: nothing was changed"
  else
    echo "rolled back production: $to serves, payments runs $payments_image"
  fi
  exit
fi

[[ -z $to ]] || fail "--to is for production's colours; staging rolls back to the previous ReplicaSet"
for service in api payments web; do
  run kubectl rollout undo "deployment/$service" --namespace "$ns"
done
for service in api payments web; do
  run kubectl rollout status "deployment/$service" --namespace "$ns" --timeout "$ROLLOUT_TIMEOUT"
done
if [[ $DRY_RUN == true ]]; then
  echo "dry run: nothing was changed"
else
  echo "rolled back $environment"
fi
