#!/usr/bin/env bash
# Production blue/green: sends the API's traffic to one colour, once that colour's pods are ready.
#   deploy/switch.sh --to blue|green [--dry-run]
source "$(dirname "$0")/lib.sh"

colour=""
parse_options to=colour -- "$@"
other_colour "$colour" >/dev/null
ns=$(namespace_of production)

run kubectl rollout status "deployment/api-$colour" --namespace "$ns" --timeout 1m ||
  fail "api-$colour is not ready; traffic stays where it is"
run kubectl patch service api --namespace "$ns" --type merge --patch "{\"spec\":{\"selector\":{\"version\":\"$colour\"}}}"
if [[ $DRY_RUN == true ]]; then
  echo "dry run: nothing was changed"
else
  echo "traffic now goes to $colour"
fi
