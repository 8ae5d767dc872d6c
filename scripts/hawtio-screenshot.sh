#!/usr/bin/env bash
# Checks for real that Hawtio shows the live Camel routes of a running Blockferry, and takes a
# screenshot of them: target/hawtio/routes.png (and the page's DOM, routes.html).
#   1. Chromium and Node (Debian packages) are installed when missing (as root).
#   2. The local Ceph (scripts/ceph-dev.sh) gets a small throwaway RBD image with some data.
#   3. bin/blockferry run syncs it on a short timer, with a throwaway data directory.
#   4. bin/hawtio connects to that Blockferry's Jolokia.
#   5. Headless Chromium opens Hawtio's Camel routes view (scripts/hawtio-routes.mjs).
#   6. The check fails unless the view lists the routes and they carried a sync.
# Exit status: 0 checked, 1 failed, 77 skipped (no Chromium or Node to be had; the reason is printed).
# Ports are free ones picked at random; HAWTIO_SCREENSHOT_ROUTES overrides the routes to look for.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$home/target/hawtio"
read -r -a routes <<<"${HAWTIO_SCREENSHOT_ROUTES:-volume-sync ack-publish ack-consume}"
CHECK_NAME=hawtio-screenshot
. "$home/scripts/lib/check-common.sh"

ensure_package chromium chromium fonts-liberation
ensure_package node nodejs
ensure_package ss iproute2

work="$(mktemp -d /tmp/blockferry-hawtio.XXXXXX)"
image="volumes/hawtio-shot-$$"
admin=()
pids=()
cleanup() {
  local status=$?
  stop_sessions "${pids[@]}"
  remove_images admin "$image"
  keep_logs "$status" "$work" "$out" "*.log"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A small volume with some data, so the routes carry a real sync.
bash "$home/scripts/ceph-dev.sh" start >/dev/null
eval "$(bash "$home/scripts/ceph-dev.sh" env)"
read -r -a admin <<<"$(bash "$home/scripts/ceph-dev.sh" admin-args)"
rbd "${admin[@]}" create --size 64M "$image"
rbd "${admin[@]}" bench --io-type write --io-size 1M --io-total 8M --io-pattern rand "$image" >/dev/null

management_port=$(free_port)
hawtio_port=$(free_port)
jolokia="http://127.0.0.1:$management_port/observe/jolokia"
hawtio="http://127.0.0.1:$hawtio_port"

# Each process in its own session, so cleanup stops it with its children (a build, say).
BLOCKFERRY_DATA_DIR="$work/data" BLOCKFERRY_SOURCE_VOLUMES="$image" BLOCKFERRY_SOURCE_SYNC_INTERVAL=10s \
  BLOCKFERRY_KAFKA_EMBEDDED_PORT=0 BLOCKFERRY_KAFKA_EMBEDDED_CONTROLLER_PORT=0 \
  CAMEL_SERVER_PORT="$(free_port)" CAMEL_MANAGEMENT_PORT="$management_port" \
  setsid "$home/bin/blockferry" run >"$work/blockferry.log" 2>&1 &
pids+=($!)
HAWTIO_PORT="$hawtio_port" HAWTIO_CONNECTIONS="blockferry=$jolokia" HAWTIO_JOLOKIA_PASSWORD_FILE="$work/data/api-token" \
  setsid "$home/bin/hawtio" >"$work/hawtio.log" 2>&1 &
pids+=($!)

# Jolokia's login (blockferry.jolokia.user, the API token Blockferry made): a header file, so that
# the token is never on a command line.
login_header() {
  [ -s "$work/jolokia-login" ] && return 0
  [ -s "$work/data/api-token" ] || return 1
  (umask 077; printf 'Authorization: Basic %s\n' "$(printf 'blockferry:%s' "$(tr -d '\n' <"$work/data/api-token")" \
    | base64 -w0)" >"$work/jolokia-login")
}
completed() { # the exchanges a route completed, read through Jolokia
  login_header || return 1
  curl -sf -H @"$work/jolokia-login" "$jolokia/read/org.apache.camel:context=blockferry,type=routes,name=%22$1%22/ExchangesCompleted" \
    | grep -o '"value":[0-9]*' | grep -q -v '"value":0$'
}
all_completed() { for route in "${routes[@]}"; do completed "$route" || return 1; done; }
wait_for "Blockferry's routes ${routes[*]} completed a sync" 300 "${pids[0]}" all_completed
# Without the login, or from a web page, Jolokia refuses (README, "Security").
[ "$(curl -s -o /dev/null -w '%{http_code}' "$jolokia/version")" = 401 ] || die "Jolokia answered without its login"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H @"$work/jolokia-login" -H 'Origin: http://evil.example' \
  "$jolokia/version")" = 403 ] || die "Jolokia answered a cross-origin request"
wait_for "Hawtio answers at $hawtio" 300 "${pids[1]}" curl -sf "$hawtio/hawtio/"
wait_for "Hawtio's proxy reaches Blockferry's Jolokia" 60 "${pids[1]}" \
  curl -sf "$hawtio/hawtio/proxy/http/127.0.0.1/$management_port/observe/jolokia/version"

rm -f "$out/routes.png" "$out/routes.html"
mkdir -p "$out"
CHROMIUM_PROFILE="$work/chromium" node "$home/scripts/hawtio-routes.mjs" \
  "$hawtio/" "$out/routes.png" "$out/routes.html" "${routes[@]}" >"$work/chromium.log" 2>&1 \
  || die "Hawtio did not show the Camel routes: $(tail -n 30 "$work/chromium.log")"

# The page itself, checked again from what was saved: a row of the Routes table per route.
for route in "${routes[@]}"; do
  grep -q "data-label=\"Name\"[^>]*>$route</td>" "$out/routes.html" || die "routes.html has no row for route $route"
done
size=$(stat -c %s "$out/routes.png")
[ "$(head -c 8 "$out/routes.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || die "routes.png is not a PNG"
[ "$size" -gt 20000 ] || die "routes.png is only $size bytes: a blank page?"
say "Hawtio's Camel routes view lists ${routes[*]}: $out/routes.png ($size bytes), $(took)"
