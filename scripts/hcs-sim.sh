#!/usr/bin/env bash
# hcs-sim.sh - the HCS 8.0.2 / OceanStor Dorado V6 simulator (tools/hcs-sim) on 127.0.0.1, for
# the HCS source's tests and demos.
#
# Usage: scripts/hcs-sim.sh {start|stop|status|env|reset|purge}
#
#   start   make the CA, server certificate and passwords once, start the simulator in the
#           background (or keep the one running, restarting it if its settings changed), wait
#           until it answers
#   stop    stop the simulator (its state stays and is loaded by the next start)
#   status  exit 0 if the simulator answers, non-zero otherwise
#   env     print shell exports for clients:  eval "$(scripts/hcs-sim.sh env)"
#   reset   back to the initial installation (the proxy server and its boot disk); keeps the
#           ids, certificates and passwords
#   purge   stop the simulator and delete its state directory
#
# Environment:
#   BLOCKFERRY_HCS_SIM_DIR           state directory (default /var/tmp/blockferry-hcs-sim)
#   BLOCKFERRY_HCS_SIM_APIG_PORT     HCS API gateway port: IAM, ECS, EVS (default 18443)
#   BLOCKFERRY_HCS_SIM_DORADO_PORT   Dorado deviceManager port (default 18088)
#   BLOCKFERRY_HCS_SIM_CONTROL_PORT  test-only control plane port, /_sim/... (default 18089)
#   BLOCKFERRY_HCS_SIM_TLS           1: HTTPS with the generated CA (default); 0: plain HTTP
#   BLOCKFERRY_HCS_SIM_DEVICE_DIR    where disks attached to the proxy appear (default
#                                    <dir>/dev/disk/by-id; production would be /dev/disk/by-id)
#   BLOCKFERRY_HCS_SIM_SETTINGS      more settings, a JSON object (tools/hcs-sim/README.md),
#                                    for example '{"job_run_seconds": 0.2, "auto_activate": false}'
#   BLOCKFERRY_HCS_SIM_WAIT          seconds to wait for the simulator to answer (default 20)
#
# The passwords (IAM and Dorado) are generated once into <dir>/secrets/ (mode 0600) and only ever
# named by file, never printed. Clients trust <dir>/tls/ca.crt, as they would a real site's CA.
set -euo pipefail

DIR_RAW=${BLOCKFERRY_HCS_SIM_DIR:-/var/tmp/blockferry-hcs-sim}
DIR=$(realpath -m -- "$DIR_RAW")
readonly DIR
readonly OURS=$DIR/.blockferry-hcs-sim   # marks the directory as created by this script
readonly LOCK=$DIR.lock
readonly APIG_PORT=${BLOCKFERRY_HCS_SIM_APIG_PORT:-18443}
readonly DORADO_PORT=${BLOCKFERRY_HCS_SIM_DORADO_PORT:-18088}
readonly CONTROL_PORT=${BLOCKFERRY_HCS_SIM_CONTROL_PORT:-18089}
readonly TLS=${BLOCKFERRY_HCS_SIM_TLS:-1}
readonly DEVICE_DIR=${BLOCKFERRY_HCS_SIM_DEVICE_DIR:-}
readonly EXTRA_SETTINGS=${BLOCKFERRY_HCS_SIM_SETTINGS:-}
readonly WAIT_SECS=${BLOCKFERRY_HCS_SIM_WAIT:-20}
SIM=$(realpath -- "$(dirname "${BASH_SOURCE[0]}")/../tools/hcs-sim/hcs_sim.py")
readonly SIM

# shellcheck disable=SC2034 # read by lib/dev-common.sh
DEV_NAME=hcs-sim
# shellcheck source=lib/dev-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/dev-common.sh"

# ---------------------------------------------------------------------------------------------
# Helpers

check_tools() {
  local t
  for t in python3 openssl; do
    command -v "$t" >/dev/null || die "$t not found. As root, run: scripts/install-prerequisites.sh"
  done
  [[ -f $SIM ]] || die "simulator not found at $SIM"
}

py() { PYTHONDONTWRITEBYTECODE=1 python3 "$SIM" "$@"; }

# pid of the simulator serving THIS state directory, or fail (pid files survive kill -9).
sim_pid() {
  local f=$DIR/run/sim.pid pid
  [[ -s $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "hcs_sim.py serve --state-dir $DIR " || return 1
  printf '%s\n' "$pid"
}

# alive and not a zombie (an orphaned simulator is reaped by whatever init the machine has)
alive() {
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $st && ${st%% *} != Z ]]
}

probe() { py probe --state-dir "$DIR" --timeout "${1:-2}"; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

lock() {
  mkdir -p "$(dirname "$DIR")"
  { exec 9>>"$LOCK"; } 2>/dev/null || die "cannot open lock file $LOCK (permissions?)"
  flock -w 120 9 || die "another hcs-sim.sh holds $LOCK"
}

check_ours() { # refuse to touch a non-empty directory we did not create
  if [[ -d $DIR && ! -e $OURS ]] && [[ -n $(ls -A "$DIR" 2>/dev/null) ]]; then
    die "$DIR exists, is not empty and was not created by hcs-sim.sh; refusing to touch it"
  fi
}

# ---------------------------------------------------------------------------------------------
# One-time material: CA, server certificate, passwords

make_tls() {
  local t=$DIR/tls
  [[ -s $t/ca.crt && -s $t/server.crt && -s $t/server.key ]] && return 0
  log "generating a CA and a server certificate for 127.0.0.1 / localhost ($t)"
  mkdir -p "$t"
  chmod 0755 "$t"
  local out=$t/openssl.log
  {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days 3650 \
      -subj "/O=Blockferry/CN=Blockferry HCS simulator CA" -keyout "$t/ca.key" -out "$t/ca.crt" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 \
        -subj "/O=Blockferry/CN=127.0.0.1" -keyout "$t/server.key" -out "$t/server.csr" &&
      printf 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost,DNS:%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
        "$(hostname)" >"$t/server.ext" &&
      openssl x509 -req -sha256 -days 3650 -in "$t/server.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" \
        -CAcreateserial -extfile "$t/server.ext" -out "$t/server.crt"
  } >"$out" 2>&1 || { tail -n 20 "$out" >&2; die "openssl failed; see $out"; }
  chmod 0600 "$t/ca.key" "$t/server.key"
  chmod 0644 "$t/ca.crt" "$t/server.crt"
  rm -f "$t/server.csr" "$t/server.ext" "$t/ca.srl"
}

make_password() { # $1 file: a random password, written once, never printed
  [[ -s $1 ]] && return 0
  (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$1" && echo >>"$1")
}

write_config() { # the settings from the environment, as <dir>/config.json; prints "changed" if so
  local new=$DIR/run/config.json.new
  HCS_APIG=$APIG_PORT HCS_DORADO=$DORADO_PORT HCS_CONTROL=$CONTROL_PORT HCS_TLS=$TLS \
    HCS_DEVICE_DIR=$DEVICE_DIR HCS_EXTRA=$EXTRA_SETTINGS python3 - "$new" <<'EOF' || die "bad settings (see above)"
import json, os, sys
c = {"apig_port": int(os.environ["HCS_APIG"]), "dorado_port": int(os.environ["HCS_DORADO"]),
     "control_port": int(os.environ["HCS_CONTROL"]), "tls": os.environ["HCS_TLS"] not in ("0", "false", "no")}
if os.environ["HCS_DEVICE_DIR"]:
    c["device_dir"] = os.path.realpath(os.environ["HCS_DEVICE_DIR"])
extra = os.environ["HCS_EXTRA"].strip()
if extra:
    try:
        more = json.loads(extra)
    except ValueError as e:
        sys.exit("hcs-sim: ERROR: BLOCKFERRY_HCS_SIM_SETTINGS is not JSON: %s" % e)
    if not isinstance(more, dict):
        sys.exit("hcs-sim: ERROR: BLOCKFERRY_HCS_SIM_SETTINGS must be a JSON object")
    c.update(more)
with open(sys.argv[1], "w") as f:
    json.dump(c, f, indent=1, sort_keys=True)
EOF
  # a start with bad settings leaves the running simulator and its config.json alone
  py check --state-dir "$DIR" --config "$new" >&2 || { rm -f "$new"; die "the settings are not valid (see above)"; }
  if [[ -f $DIR/config.json ]] && cmp -s "$new" "$DIR/config.json"; then
    rm -f "$new"
  else
    mv "$new" "$DIR/config.json"
    echo changed
  fi
}

# ---------------------------------------------------------------------------------------------
# Process

start_sim() {
  local p
  for p in "$APIG_PORT" "$DORADO_PORT" "$CONTROL_PORT"; do
    port_busy "$p" && die "port 127.0.0.1:$p is in use by another process (another simulator? set BLOCKFERRY_HCS_SIM_DIR and the BLOCKFERRY_HCS_SIM_*_PORT variables)"
  done
  log "starting the simulator (state $DIR)"
  rm -f "$DIR/run/info.json"
  # own session, no inherited stdio (callers may capture our stdout); 9>&-: not the lock
  PYTHONDONTWRITEBYTECODE=1 setsid python3 "$SIM" serve --state-dir "$DIR" </dev/null \
    >>"$DIR/log/sim.out" 2>&1 9>&- &
  echo $! >"$DIR/run/sim.pid"
}

wait_answering() {
  local pid rc=0
  pid=$(<"$DIR/run/sim.pid")
  py probe --state-dir "$DIR" --timeout 2 --wait "$WAIT_SECS" --pid "$pid" || rc=$?
  ((rc == 0)) && return 0
  if ((rc == 3)) || ! sim_pid >/dev/null; then
    tail -n 20 "$DIR/log/sim.out" >&2 2>/dev/null || true
    die "the simulator exited; see $DIR/log/sim.out and $DIR/log/sim.log"
  fi
  die "the simulator did not answer within ${WAIT_SECS}s; see $DIR/log/sim.log"
}

stop_sim() {
  local pid i
  pid=$(sim_pid) || { rm -f "$DIR/run/sim.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    alive "$pid" || break
    sleep 0.05
  done
  if alive "$pid"; then
    log "pid $pid did not exit after 10s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$DIR/run/sim.pid" "$DIR/run/info.json"
}

summary() { # $1 what happened
  local scheme=https
  [[ $TLS == 0 || $TLS == false || $TLS == no ]] && scheme=http
  printf 'hcs-sim: answering (%s in %ss): apig %s://127.0.0.1:%s, dorado :%s, control :%s, state %s\n' \
    "$1" "$(elapsed "$T0")" "$scheme" "$APIG_PORT" "$DORADO_PORT" "$CONTROL_PORT" "$DIR"
}

# ---------------------------------------------------------------------------------------------
# Commands

cmd_start() {
  check_tools
  lock
  check_ours
  mkdir -p "$DIR"/{run,log,secrets}
  : >"$OURS"
  chmod 0700 "$DIR/secrets"
  local changed
  changed=$(write_config)
  make_password "$DIR/secrets/iam.password"
  make_password "$DIR/secrets/dorado.password"
  [[ $TLS == 0 || $TLS == false || $TLS == no ]] || make_tls
  if sim_pid >/dev/null; then
    if [[ -z $changed ]] && probe 5; then
      summary "already running"
      return 0
    fi
    local why="it does not answer"
    [[ -n $changed ]] && why="its settings changed"
    log "restarting the simulator ($why)"
    stop_sim
  fi
  start_sim
  wait_answering
  summary "started"
}

cmd_stop() {
  lock
  check_ours
  [[ -d $DIR/run ]] || { log "no simulator in $DIR"; return 0; }
  stop_sim
  log "stopped (state kept in $DIR)"
}

cmd_status() {
  if [[ ! -e $OURS ]]; then
    echo "hcs-sim: no simulator in $DIR"
    return 3
  fi
  if ! sim_pid >/dev/null; then
    echo "hcs-sim: DOWN: not running (state $DIR)"
    return 2
  fi
  if ! probe 5; then
    echo "hcs-sim: DEGRADED: running (pid $(sim_pid)) but not answering; see $DIR/log/sim.log"
    return 1
  fi
  echo "hcs-sim: UP: pid $(sim_pid), state $DIR; exports: scripts/hcs-sim.sh env"
}

cmd_env() {
  [[ -s $DIR/run/client.env ]] || die "no simulator has run in $DIR yet; run: scripts/hcs-sim.sh start"
  cat "$DIR/run/client.env"
}

cmd_reset() {
  lock
  check_ours
  [[ -e $OURS ]] || die "no simulator in $DIR; run: scripts/hcs-sim.sh start"
  if sim_pid >/dev/null && probe 5; then
    py request --state-dir "$DIR" POST /_sim/reset >/dev/null || die "reset through the control plane failed; see $DIR/log/sim.log"
    log "reset (running simulator)"
  else
    stop_sim
    # the next start finds no state.json and rebuilds the installation, device files included
    rm -rf -- "$DIR/state.json" "$DIR/maps" "$DIR/luns"
    log "reset (the next start begins from the initial installation)"
  fi
}

cmd_purge() {
  lock
  check_ours
  if [[ -d $DIR ]]; then
    stop_sim
    rm -rf -- "$DIR"
  fi
  log "purged $DIR"
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  reset) cmd_reset ;;
  purge) cmd_purge ;;
  -h | --help | help) usage ;;
  *)
    usage
    exit 64
    ;;
esac
