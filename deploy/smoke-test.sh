#!/usr/bin/env bash
# Checks that an Azora API answers the way clients need: the catalog, the token keys and the API description, with
# rate-limit headers. Exits 1 at the first failure, naming it.
#   deploy/smoke-test.sh BASE_URL [--dry-run]
source "$(dirname "$0")/lib.sh"

base_url=${1:-}
shift || true
parse_options -- "$@"
[[ $base_url =~ ^https?://[^/]+$ ]] || fail "BASE_URL must look like https://api.azora.world (no path), got '$base_url'"

# check PATH EXPECTED_BODY_TEXT: GET, expect 200 and the text in the body.
check() {
  local path=$1 expected=$2 response
  local command=(curl --silent --show-error --max-time 10 --include "$base_url$path")
  show "${command[@]}"
  [[ $DRY_RUN == true ]] && return
  response=$("${command[@]}") || fail "GET $path: no answer from $base_url"
  [[ $response =~ ^HTTP/[0-9.]+\ 200 ]] || fail "GET $path: $(head -n 1 <<<"$response")"
  [[ $response == *"$expected"* ]] || fail "GET $path: the body lacks '$expected'"
  if [[ $path == /api/* ]]; then
    grep -qi '^x-ratelimit-limit:' <<<"$response" || fail "GET $path: no X-RateLimit-Limit header"
  fi
  echo "ok   GET $path"
}

check "/api/education/courses?limit=1" '"pagination"'
check /api/education/categories '"data"'
check /.well-known/jwks.json '"keys"'
check /openapi/v1.json '"openapi"'
if [[ $DRY_RUN == true ]]; then
  echo "dry run: nothing was requested"
else
  echo "smoke test passed: $base_url"
fi
