#!/usr/bin/env bash
# Undoes the last release of an environment.
#   deploy/rollback.sh staging|production [--dry-run]
# Production: traffic goes back to the other colour, which still runs the previous release. Staging: the services
# roll back to their previous ReplicaSet.
source "$(dirname "$0")/lib.sh"

environment=${1:-}
shift || true
parse_options -- "$@"
ns=$(namespace_of "$environment")

if [[ $environment == production ]]; then
  live=""
  read_cluster live blue kubectl get service api --namespace "$ns" --output 'jsonpath={.spec.selector.version}'
  switch_args=(--to "$(other_colour "$live")")
  [[ $DRY_RUN == true ]] && switch_args+=(--dry-run)
  deploy/switch.sh "${switch_args[@]}"
  exit
fi

for service in api payments; do
  run kubectl rollout undo "deployment/$service" --namespace "$ns"
done
for service in api payments; do
  run kubectl rollout status "deployment/$service" --namespace "$ns" --timeout "$ROLLOUT_TIMEOUT"
done
if [[ $DRY_RUN == true ]]; then
  echo "dry run: nothing was changed"
else
  echo "rolled back $environment"
fi
