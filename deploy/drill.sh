#!/usr/bin/env bash
# The incident drill: fires one real alert in staging on purpose and walks its playbook.
#   deploy/drill.sh [--dry-run] [--namespace azora-staging] [--wait SECONDS]
# It scales the payments worker to zero, waits until Prometheus reports AzoraServiceDown{service="payments"} firing
# (the alert's 1 minute plus a scrape or two), runs the first steps of the runbook's "Service down" playbook, scales the
# worker back, and waits for the alert to resolve. Whatever happens, the worker is scaled back on exit. Staging only:
# production is refused. The runbook's "Incident drill" section says who runs it and what to write down.
source "$(dirname "$0")/lib.sh"

ns=azora-staging
wait_seconds=600
parse_options namespace=ns wait=wait_seconds -- "$@"
[[ $ns != azora-production ]] || fail "the drill takes a service down on purpose: production is refused"
[[ $wait_seconds =~ ^[1-9][0-9]*$ ]] || fail "--wait must be a number of seconds, got '$wait_seconds'"

service=payments
alert=AzoraServiceDown
# kube-prometheus-stack's Prometheus, reached through the API server's service proxy (kubectl alone, no port-forward).
alerts_path=/api/v1/namespaces/monitoring/services/prometheus-operated:web/proxy/api/v1/alerts

poll_seconds=${AZORA_DRILL_POLL_SECONDS:-15}

# The alert's state for the service as Prometheus reports it: "firing", "pending", or nothing.
alert_state() {
  local alerts
  alerts=$(kubectl get --raw "$alerts_path") || fail "could not read Prometheus' alerts ($alerts_path)"
  jq -r --arg alert "$alert" --arg service "$service" \
    '[.data.alerts[] | select(.labels.alertname == $alert and .labels.service == $service) | .state] | first // ""' <<<"$alerts"
}

# Waits until alert_state prints $1 ("firing" or ""), at most --wait seconds; prints how long it took.
wait_for_alert() {
  local want=$1 started=$SECONDS
  show kubectl get --raw "$alerts_path"
  if [[ $DRY_RUN == true ]]; then
    echo "# dry run: not waiting for $alert to be '${want:-resolved}'"
    return
  fi
  while [[ $(alert_state) != "$want" ]]; do
    ((SECONDS - started < wait_seconds)) || fail "$alert was not '${want:-resolved}' after ${wait_seconds}s"
    sleep "$poll_seconds"
  done
  echo "# $alert is ${want:-resolved} after $((SECONDS - started))s"
}

replicas=""
read_cluster replicas 2 kubectl get deployment "$service" --namespace "$ns" --output 'jsonpath={.spec.replicas}'

restore() {
  run kubectl scale "deployment/$service" --namespace "$ns" --replicas "$replicas"
  run kubectl rollout status "deployment/$service" --namespace "$ns" --timeout "$ROLLOUT_TIMEOUT"
}
trap restore EXIT

echo "==> 1. Break: the $service worker goes to zero pods in $ns"
run kubectl scale "deployment/$service" --namespace "$ns" --replicas 0

echo "==> 2. Wait for the page: $alert{service=\"$service\"}"
wait_for_alert firing

echo "==> 3. Walk the playbook (docs/operations/OPERATIONS-RUNBOOK.md#service-down)"
run kubectl get pods --namespace "$ns" --selector "app.kubernetes.io/name=$service"
run kubectl get "deployment/$service" --namespace "$ns" --output wide
run kubectl get events --namespace "$ns" --sort-by .lastTimestamp
echo "# The playbook's answer here: nothing crashed, nothing unschedulable; the Deployment was scaled to 0 — scale it back."

echo "==> 4. Recover"
trap - EXIT
restore

echo "==> 5. Wait for the alert to resolve"
wait_for_alert ""

if [[ $DRY_RUN == true ]]; then
  echo "dry run: nothing was changed"
else
  echo "drill done: $alert fired and resolved in $ns; write the times above into the drill's review"
fi
