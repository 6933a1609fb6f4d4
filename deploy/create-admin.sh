#!/usr/bin/env bash
# Creates an environment's first admin (or another one) with the operator command in the API's image.
#   deploy/create-admin.sh staging|production --email EMAIL [--name NAME] [--dry-run]
# Runs `dotnet Azora.Api.dll admin create` in a running API pod (production: the live colour's) with kubectl exec, so
# it uses that pod's configuration and database. The password is read from the terminal (or one line of stdin) and
# passed on the command's stdin, never on a command line. Creating an admin that exists changes nothing: exit code 3
# (4 when the email belongs to an account that is not an admin).
source "$(dirname "$0")/lib.sh"

environment=${1:-}
shift || true
email=""
name="Administrator"
parse_options email=email name=name -- "$@"
ns=$(namespace_of "$environment")
[[ -n $email ]] || fail "--email is required"

deployment=api
if [[ $environment == production ]]; then
  live=""
  read_cluster live green kubectl get service api --namespace "$ns" --output 'jsonpath={.spec.selector.version}'
  other_colour "$live" >/dev/null
  deployment=api-$live
fi

command=(kubectl exec --stdin "deployment/$deployment" --namespace "$ns" --
  dotnet /app/Azora.Api.dll admin create --email "$email" --name "$name" --password-stdin)
if [[ $DRY_RUN == true ]]; then
  run "${command[@]}"
  echo "dry run: nothing was changed (the password would be asked for and sent on stdin)"
  exit
fi

password=""
IFS= read -r -s -p "Password for $email: " password || true
[[ -t 0 ]] && echo >&2
[[ -n $password ]] || fail "no password given (type it, or pipe one line on stdin)"
status=0
printf '%s\n' "$password" | run "${command[@]}" || status=$?
case $status in
  0) echo "created admin $email in $environment" ;;
  3) echo "# $email is already an admin in $environment; nothing was changed"; exit 3 ;;
  4) fail "$email belongs to an account that is not an admin; an admin grants the role (PUT /api/admin/users/{id}/roles)" ;;
  *) fail "the admin command failed with exit code $status" ;;
esac
