#!/usr/bin/env bash
# The production release, blue/green: deploy the tag to the idle colour, smoke-test that colour through its own
# Service, move traffic to it, smoke-test the public URL, and move traffic back if that fails.
#   deploy/promote.sh --tag TAG [--digests FILE] [--base-url https://api.azora.world] [--dry-run]
# The images are deployed by the digests built for TAG (see deploy/apply.sh).
source "$(dirname "$0")/lib.sh"

tag=""
digests=""
base_url="https://api.azora.world"
parse_options tag=tag digests=digests base-url=base_url -- "$@"
ns=$(namespace_of production)
dry=()
[[ $DRY_RUN == true ]] && dry=(--dry-run)

live=""
read_cluster live blue kubectl get service api --namespace "$ns" --output 'jsonpath={.spec.selector.version}'
idle=$(other_colour "$live")
echo "# releasing $tag on $idle; $live keeps serving until the switch"

digest_args=()
[[ -n $digests ]] && digest_args=(--digests "$digests")
"deploy/apply.sh" production --tag "$tag" "${digest_args[@]}" "${dry[@]}"

# The idle colour has no public route yet: reach its Service through a port-forward.
port=${AZORA_SMOKE_PORT:-18080}
show kubectl port-forward "service/api-$idle" "$port:80" --namespace "$ns"
if [[ $DRY_RUN == false ]]; then
  kubectl port-forward "service/api-$idle" "$port:80" --namespace "$ns" >/dev/null &
  forward=$!
  trap 'kill "$forward" 2>/dev/null || true' EXIT
  for _ in {1..30}; do
    (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 1
  done
fi
"deploy/smoke-test.sh" "http://127.0.0.1:$port" "${dry[@]}" ||
  fail "api-$idle failed its smoke test; traffic stays on $live (deploy/rollback.sh production --to $live returns payments too)"
if [[ $DRY_RUN == false ]]; then
  kill "$forward" 2>/dev/null || true
fi

"deploy/switch.sh" --to "$idle" "${dry[@]}"
if ! "deploy/smoke-test.sh" "$base_url" "${dry[@]}"; then
  echo "the public smoke test failed after the switch; moving traffic and payments back to $live" >&2
  "deploy/rollback.sh" production --to "$live" "${dry[@]}"
  fail "release $tag rolled back; $live serves again"
fi
if [[ $DRY_RUN == true ]]; then
  echo "dry run: nothing was changed"
else
  echo "released $tag: $idle is live, $live stays up for deploy/rollback.sh production"
fi
