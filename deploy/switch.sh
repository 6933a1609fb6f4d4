#!/usr/bin/env bash
# Production blue/green: sends the API's traffic to one colour, once that colour's pods are ready.
#   deploy/switch.sh --to blue|green [--dry-run]
source "$(dirname "$0")/lib.sh"

colour=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --to) colour=${2:-}; shift 2 ;;
    --dry-run) DRY_RUN=true; shift ;;
    *) fail "unknown argument '$1'" ;;
  esac
done
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
