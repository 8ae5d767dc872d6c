#!/usr/bin/env bash
# Checks Blockferry's Prometheus alerting rules and that a real Prometheus sees its series:
#   1. Debian's prometheus (with promtool) is installed when missing (as root).
#   2. promtool check rules and promtool test rules (monitoring/prometheus/).
#   3. bin/blockferry run on the local Ceph, with a throwaway data directory, free ports and two
#      throwaway images under policies with an rpo: one within it, one (2 s) that misses it.
#   4. A Prometheus on a free port scrapes its /observe/metrics every 2 s with the shipped rules.
#   5. The check fails unless Prometheus's HTTP API answers with Blockferry's series (the RPO
#      ones included: the late volume in breach, the other not) and the BlockferryRpoMissed alert
#      pending or firing for the late volume.
# Exit status: 0 checked, 1 failed, 77 skipped (no Prometheus to be had; the reason is printed).
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHECK_NAME=prometheus-check
. "$home/scripts/lib/check-common.sh"
rules="$home/monitoring/prometheus"

ensure_package promtool prometheus
ensure_package prometheus prometheus
ensure_package ss iproute2
ensure_package curl curl

(cd "$rules" && promtool check rules blockferry-rules.yml >&2) || die "promtool check rules failed"
(cd "$rules" && promtool test rules blockferry-rules.test.yml >&2) || die "promtool test rules failed"
say "promtool check rules and test rules pass ($(took))"

work="$(mktemp -d /tmp/blockferry-prometheus.XXXXXX)"
ok_image="volumes/it-ops-prom-ok-$$"
late_image="volumes/it-ops-prom-late-$$"
admin=()
pids=()
cleanup() {
  local status=$?
  stop_sessions "${pids[@]}"
  remove_images admin "$ok_image" "$late_image"
  keep_logs "$status" "$work" "$home/target/prometheus" "*.log" "*.yml"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bash "$home/scripts/ceph-dev.sh" start >/dev/null
eval "$(bash "$home/scripts/ceph-dev.sh" env)"
read -r -a admin <<<"$(bash "$home/scripts/ceph-dev.sh" admin-args)"
for image in "$ok_image" "$late_image"; do
  rbd "${admin[@]}" create --size 32M "$image"
  rbd "${admin[@]}" bench --io-type write --io-size 1M --io-total 4M --io-pattern rand "$image" >/dev/null
done
cat >"$work/policies.yml" <<POLICIES
policies:
  - name: prom-ok
    schedule: "0 0 3 1 1 ? 2099"
    select: {volumes: [$ok_image]}
    rpo: 1h
  - name: prom-late
    schedule: "0 0 3 1 1 ? 2099"
    select: {volumes: [$late_image]}
    rpo: 2s
POLICIES

api_port=$(free_port)
management_port=$(free_port)
prometheus_port=$(free_port)
token="$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export BLOCKFERRY_URL="http://127.0.0.1:$api_port" BLOCKFERRY_API_TOKEN="$token"
# Each process in its own session, so cleanup stops it with its children.
BLOCKFERRY_DATA_DIR="$work/data" BLOCKFERRY_POLICIES_FILE="$work/policies.yml" BLOCKFERRY_RPO_CHECK_INTERVAL=1s \
  BLOCKFERRY_KAFKA_EMBEDDED_PORT=0 BLOCKFERRY_KAFKA_EMBEDDED_CONTROLLER_PORT=0 \
  CAMEL_SERVER_PORT="$api_port" CAMEL_MANAGEMENT_PORT="$management_port" \
  setsid "$home/bin/blockferry" run >"$work/blockferry.log" 2>&1 &
pids+=($!)
wait_for "Blockferry's API answers on port $api_port" 300 "${pids[0]}" "$home/bin/blockferry" policies
"$home/bin/blockferry" sync --policy prom-ok >&2
"$home/bin/blockferry" sync --policy prom-late >&2

cat >"$work/prometheus.yml" <<CONFIG
global:
  scrape_interval: 2s
  evaluation_interval: 2s
rule_files:
  - $rules/blockferry-rules.yml
scrape_configs:
  - job_name: blockferry
    metrics_path: /observe/metrics
    static_configs:
      - targets: ["127.0.0.1:$management_port"]
CONFIG
setsid prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prometheus_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)

# has QUERY: Prometheus's instant query answers with at least one series.
has() {
  curl -sfG --data-urlencode "query=$1" "http://127.0.0.1:$prometheus_port/api/v1/query" \
    | grep -q '"result":\[{'
}
ok_volume="volume=\"$ok_image\""
late_volume="volume=\"$late_image\""
wait_for "Prometheus answers on port $prometheus_port" 60 "${pids[1]}" \
  curl -sf "http://127.0.0.1:$prometheus_port/-/ready"
wait_for "Prometheus scrapes Blockferry (up == 1)" 60 "${pids[1]}" has 'up{job="blockferry"} == 1'
wait_for "Prometheus sees blockferry_sent_bytes_total and the alerted event counters" 120 "${pids[1]}" \
  has 'blockferry_sent_bytes_total{mode="full"} > 0 and on() blockferry_events_total{type="sync-failed"} and on() blockferry_events_total{type="dead-letter"} and on() blockferry_events_total{type="queue-timeout"}'
wait_for "Prometheus sees both volumes' blockferry_rpo_seconds and objectives" 120 "${pids[1]}" \
  has "blockferry_rpo_seconds{$ok_volume} >= 0 and on() blockferry_rpo_objective_seconds{$ok_volume} == 3600 and on() blockferry_rpo_objective_seconds{$late_volume} == 2"
wait_for "Prometheus sees blockferry_rpo_breached: 0 for $ok_image, 1 for $late_image" 120 "${pids[1]}" \
  has "blockferry_rpo_breached{$ok_volume} == 0 and on() blockferry_rpo_breached{$late_volume} == 1"
wait_for "Prometheus's BlockferryRpoMissed alert is pending or firing for $late_image" 60 "${pids[1]}" \
  has "ALERTS{alertname=\"BlockferryRpoMissed\",$late_volume}"
has "ALERTS{alertname=\"BlockferryRpoMissed\",$ok_volume}" && die "BlockferryRpoMissed holds for $ok_image too"
say "a real Prometheus scraped Blockferry's series and raised BlockferryRpoMissed for $late_image, $(took)"
