#!/usr/bin/env bash
# ceph-dev.sh - a one-node Ceph (16.x, Debian packages) on 127.0.0.1 for Blockferry tests and demos.
#
# Usage: scripts/ceph-dev.sh [--cluster dr] {start|stop|purge|status|env|target-env|admin-args}
#
#   start       install packages if missing, bootstrap or restart the cluster, wait until usable
#   stop        stop the daemons (data stays)
#   purge       stop the daemons and delete the cluster directory
#   status      exit 0 if the cluster is up and usable, non-zero otherwise
#   env         print shell exports for clients:  eval "$(scripts/ceph-dev.sh env)"
#   admin-args  print CLI args for the admin user: rbd $(scripts/ceph-dev.sh admin-args) ls volumes
#   target-env  (--cluster dr only) exports that make a Blockferry target keep its replicas on the
#               DR cluster (BLOCKFERRY_TARGET_REPLICA=rbd and BLOCKFERRY_TARGET_DR_*), leaving
#               the source's BLOCKFERRY_CEPH_* alone:
#                 eval "$(scripts/ceph-dev.sh --cluster dr target-env)"
#
# Without --cluster (or with --cluster primary) this is the primary cluster, the source of every
# test and demo: pools volumes, vms, backup; user client.blockferry.
#
# --cluster dr is a second, separate cluster beside it: the "DR site" that disaster-recovery
# tests replicate to. Its own directory, fsid, keys and ports (mon 13300/16789, OSD and mgr in
# 16800-16900, apart from the primary's 3300/6789 and 6800-6900), pools dr-volumes and dr-vms,
# user client.blockferry-dr (profile rbd on those two pools only), a 10G sparse OSD file and
# the smallest OSD memory target Ceph allows. Both run at once. Its `env` prints the same
# variable names as the primary's, pointing at the DR cluster only:
#   eval "$(scripts/ceph-dev.sh --cluster dr env)"; rbd --id "$BLOCKFERRY_CEPH_ID" ls dr-volumes
#
# Environment of the primary cluster:
#   BLOCKFERRY_CEPH_DIR          cluster directory (default /var/tmp/blockferry-ceph)
#   BLOCKFERRY_CEPH_MON_PORT_V2  mon msgr2 port (default 3300), used at bootstrap only
#   BLOCKFERRY_CEPH_MON_PORT_V1  mon msgr1 port (default 6789), used at bootstrap only
#   BLOCKFERRY_CEPH_WAIT         seconds to wait for the cluster to become usable (default 60)
# Environment of the DR cluster (the primary's settings above never apply to it, so a shell set
# up for one cannot point the other at the same directory or ports):
#   BLOCKFERRY_CEPH_DR_DIR          cluster directory (default /var/tmp/blockferry-ceph-dr)
#   BLOCKFERRY_CEPH_DR_MON_PORT_V2  mon msgr2 port (default 13300), used at bootstrap only
#   BLOCKFERRY_CEPH_DR_MON_PORT_V1  mon msgr1 port (default 16789), used at bootstrap only
#   BLOCKFERRY_CEPH_DR_PORT_MIN/MAX ports of the mgr and OSD (default 16800/16900), bootstrap only
#   BLOCKFERRY_CEPH_WAIT            as above
#
# The daemons (mon.a, mgr.x, osd.0 on a sparse bluestore file) run directly, without
# systemd. cephx is required everywhere. Key material is only ever written to files in the
# cluster directory (mode 0600), never printed.
set -euo pipefail

# --cluster is taken wherever it stands: `purge --cluster dr` must never purge the primary.
CLUSTER=primary
COMMAND=
while (($#)); do
  case $1 in
    --cluster) CLUSTER=${2:-}; shift; if (($#)); then shift; fi ;;
    --cluster=*) CLUSTER=${1#--cluster=}; shift ;;
    *) COMMAND=${COMMAND:-$1}; shift ;; # further words are ignored, as they always were
  esac
done

readonly PACKAGES=(ceph-mon ceph-osd ceph-mgr ceph-common librbd1 librados2 librbd-dev librados-dev)
# Bump when the set-up steps after bootstrap change: an existing cluster then re-runs them.
readonly SETUP_VERSION=4
readonly CLIENT_CAPS_MON='profile rbd'

# What differs between the clusters. ENV is the prefix of the settings each reads; MARKER is the
# content of the marker file in its directory (empty for the primary, as it always was), so that
# neither cluster's commands ever act on the other's directory.
case $CLUSTER in
  primary)
    readonly POOLS=(volumes vms backup)
    readonly CLIENT_ID=blockferry
    # volumes-hdd is the second Cinder backend of scripts/openstack-dev.sh (it creates that pool, and
    # images, Glance's: volumes made from an image are clones whose parent librbd must read).
    readonly CLIENT_CAPS_OSD='profile rbd pool=volumes, profile rbd pool=vms, profile rbd pool=backup, profile rbd pool=volumes-hdd, profile rbd-read-only pool=images'
    readonly ENV=BLOCKFERRY_CEPH MARKER='' DEV_NAME=ceph-dev
    DIR_RAW=${BLOCKFERRY_CEPH_DIR:-/var/tmp/blockferry-ceph}
    readonly MON_PORT_V2=${BLOCKFERRY_CEPH_MON_PORT_V2:-3300}
    readonly MON_PORT_V1=${BLOCKFERRY_CEPH_MON_PORT_V1:-6789}
    readonly BIND_PORT_MIN=6800 BIND_PORT_MAX=6900
    readonly OSD_FILE_SIZE=20G
    readonly OSD_MEMORY_TARGET=1073741824
    readonly CONF_EXTRA=''
    ;;
  dr)
    readonly POOLS=(dr-volumes dr-vms)
    readonly CLIENT_ID=blockferry-dr
    # The DR writer may touch the DR pools only; it has no key on the primary at all.
    readonly CLIENT_CAPS_OSD='profile rbd pool=dr-volumes, profile rbd pool=dr-vms'
    readonly ENV=BLOCKFERRY_CEPH_DR MARKER=dr DEV_NAME='ceph-dev dr'
    DIR_RAW=${BLOCKFERRY_CEPH_DR_DIR:-/var/tmp/blockferry-ceph-dr}
    readonly MON_PORT_V2=${BLOCKFERRY_CEPH_DR_MON_PORT_V2:-13300}
    readonly MON_PORT_V1=${BLOCKFERRY_CEPH_DR_MON_PORT_V1:-16789}
    # Daemons bind the first free ports of this range: apart from the primary's 6800-6900, a
    # restart of either cluster never finds its ports taken by the other.
    readonly BIND_PORT_MIN=${BLOCKFERRY_CEPH_DR_PORT_MIN:-16800} BIND_PORT_MAX=${BLOCKFERRY_CEPH_DR_PORT_MAX:-16900}
    # Thin-provisioned test replicas need little space; 896 MiB is Ceph's minimum memory target.
    readonly OSD_FILE_SIZE=10G
    readonly OSD_MEMORY_TARGET=939524096
    # The mgr imports every installed module unless told not to: these are neither always-on nor
    # enabled here (dashboards, exporters, CephFS helpers). Not loading them halves its memory
    # (about 300 to 155 MB) with HEALTH_OK. Always-on modules stay: disabling them is HEALTH_ERR.
    readonly CONF_EXTRA='mgr disabled modules = alerts,diskprediction_local,influx,insights,localpool,mirroring,nfs,osd_perf_query,osd_support,prometheus,restful,selftest,snap_schedule,stats,telegraf,test_orchestrator,zabbix'
    ;;
  *)
    printf 'ceph-dev: ERROR: unknown cluster "%s": use --cluster dr, or no --cluster for the primary\n' "$CLUSTER" >&2
    exit 64
    ;;
esac

DIR=$(realpath -m -- "$DIR_RAW")
readonly DIR
readonly CONF=$DIR/ceph.conf
readonly OURS=$DIR/.blockferry-ceph-dev   # marks the directory as created by this script
readonly DONE=$DIR/.bootstrapped          # bootstrap finished; holds SETUP_VERSION
readonly LOCK=$DIR.lock
readonly WAIT_SECS=${BLOCKFERRY_CEPH_WAIT:-60}

# Exported CEPH_KEYRING overrides the per-user keyring (and breaks --id); CEPH_ARGS could
# redirect our own admin commands. Neither may leak into the script or the daemons.
unset CEPH_KEYRING CEPH_ARGS

# shellcheck source=lib/dev-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/dev-common.sh"

# ---------------------------------------------------------------------------------------------
# Packages

ensure_packages() {
  local missing=() p
  command -v dpkg-query >/dev/null || die "dpkg-query not found: this script needs Debian or Ubuntu"
  for p in "${PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  ((${#missing[@]} == 0)) && return 0
  if ((EUID != 0)); then
    die "Ceph packages missing (${missing[*]}). As root, run:
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${PACKAGES[*]}"
  fi
  local t=$EPOCHREALTIME created_policy=0
  log "installing ${missing[*]} (apt)"
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\n# installed temporarily by blockferry ceph-dev.sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    created_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  local rc=0
  {
    apt-get update -q -o DPkg::Lock::Timeout=300 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        -o DPkg::Lock::Timeout=300 "${PACKAGES[@]}"
  } >"/tmp/blockferry-ceph-apt.$$.log" 2>&1 || rc=$?
  if ((created_policy)); then
    rm -f /usr/sbin/policy-rc.d
    trap - EXIT
  fi
  if ((rc != 0)); then
    tail -n 30 "/tmp/blockferry-ceph-apt.$$.log" >&2 || true
    die "apt-get failed (rc=$rc); full log: /tmp/blockferry-ceph-apt.$$.log"
  fi
  rm -f "/tmp/blockferry-ceph-apt.$$.log"
  log "packages installed in $(elapsed "$t")s"
}

# ---------------------------------------------------------------------------------------------
# Helpers

admin() { ceph --conf "$CONF" --id admin --connect-timeout 20 "$@"; }

# pid of a running daemon ($1 = mon|mgr|osd, $2 = id) of THIS cluster, or fail.
daemon_pid() {
  local f=$DIR/run/$1.$2.pid pid
  [[ -s $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  # must be ceph-<type> started with our conf (pid files survive kill -9 and reboots)
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "ceph-$1 .*--conf $CONF " || return 1
  printf '%s\n' "$pid"
}

readonly DAEMONS=("mon a" "mgr x" "osd 0")

all_running() {
  local d
  for d in "${DAEMONS[@]}"; do daemon_pid $d >/dev/null || return 1; done
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_daemon() { # $1 type, $2 id
  local type=$1 id=$2 out=$DIR/log/ceph-$1.$2.out
  daemon_pid "$type" "$id" >/dev/null && return 0
  log "starting $type.$id"
  # own session, no inherited stdio (callers may capture our stdout); the daemon forks itself
  # 9>&-: the daemon must not inherit the lock on $LOCK
  if ! setsid -w "ceph-$type" --conf "$CONF" --id "$id" </dev/null >>"$out" 2>&1 9>&-; then
    tail -n 20 "$out" >&2 || true
    die "ceph-$type --id $id failed to start; see $out and $DIR/log/ceph-$type.$id.log"
  fi
}

start_all() {
  local v2 v1
  if ! daemon_pid mon a >/dev/null; then
    read -r v2 v1 < <(mon_ports_from_conf)
    port_busy "$v2" && die "port 127.0.0.1:$v2 is in use by another process (another cluster? use ${ENV}_DIR and ${ENV}_MON_PORT_V2/_V1)"
    port_busy "$v1" && die "port 127.0.0.1:$v1 is in use by another process (another cluster? use ${ENV}_DIR and ${ENV}_MON_PORT_V2/_V1)"
  fi
  local d
  for d in "${DAEMONS[@]}"; do start_daemon $d; done
}

mon_ports_from_conf() {
  local line
  line=$(grep -m1 '^[[:space:]]*mon host' "$CONF")
  [[ $line =~ v2:127\.0\.0\.1:([0-9]+),v1:127\.0\.0\.1:([0-9]+) ]] || die "cannot parse 'mon host' in $CONF"
  echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
}

stop_all() {
  local d type id pid pids=() deadline
  # OSD and mgr first, then the mon (the OSD reports its shutdown to the mon)
  for d in "osd 0" "mgr x" "mon a"; do
    read -r type id <<<"$d"
    pid=$(daemon_pid "$type" "$id") || continue
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
    if [[ $type == mgr ]]; then wait_pids 20 "${pids[@]}"; pids=(); fi
  done
  ((${#pids[@]})) && wait_pids 20 "${pids[@]}"
  rm -f "$DIR"/run/*.pid 2>/dev/null || true
}

wait_pids() { # $1 timeout seconds, rest pids: wait for exit, then kill -9
  local t=$1 p alive i
  shift
  for ((i = 0; i < t * 10; i++)); do
    alive=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || return 0
    sleep 0.1
  done
  for p in "$@"; do
    if kill -0 "$p" 2>/dev/null; then
      log "pid $p did not exit after ${t}s, sending SIGKILL"
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
  for ((i = 0; i < 50; i++)); do
    alive=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || return 0
    sleep 0.1
  done
}

# One real write + read as client.blockferry in one pool.
probe_pool() { # $1 pool, $2 per-attempt timeout
  local pool=$1 tmo=$2 src=$DIR/run/probe.$1.$$ dst=$DIR/run/probe.$1.$$.out rc=0
  printf 'blockferry probe %s %s\n' "$pool" "$EPOCHREALTIME" >"$src"
  timeout "$tmo" rados --conf "$CONF" --id "$CLIENT_ID" -p "$pool" put blockferry-probe "$src" >/dev/null 2>&1 &&
    timeout "$tmo" rados --conf "$CONF" --id "$CLIENT_ID" -p "$pool" get blockferry-probe "$dst" >/dev/null 2>&1 &&
    cmp -s "$src" "$dst" || rc=1
  rm -f "$src" "$dst"
  return "$rc"
}

probe_all() { # $1 per-attempt timeout; pools in parallel
  local p pids=() rc=0 pid
  for p in "${POOLS[@]}"; do
    probe_pool "$p" "$1" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  return "$rc"
}

wait_usable() {
  local deadline=$((SECONDS + WAIT_SECS)) d
  while :; do
    for d in "${DAEMONS[@]}"; do
      daemon_pid $d >/dev/null || die "ceph-${d% *} (id ${d#* }) is not running; see $DIR/log/ceph-${d/ /.}.log"
    done
    probe_all 10 && return 0
    ((SECONDS < deadline)) || die "cluster not usable after ${WAIT_SECS}s (rados put/get as client.$CLIENT_ID in ${POOLS[*]}); logs in $DIR/log/"
    sleep 0.3
  done
}

# ---------------------------------------------------------------------------------------------
# Bootstrap

write_conf() {
  local fsid=$1
  # \$ = Ceph metavariables, expanded by Ceph ($cluster, $name, $type, $id)
  cat >"$CONF" <<EOF
# Generated by blockferry scripts/ceph-dev.sh - one-node development cluster.
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$MON_PORT_V2,v1:127.0.0.1:$MON_PORT_V1]
public network = 127.0.0.0/8
public addr = 127.0.0.1
ms bind ipv6 = false
ms bind port min = $BIND_PORT_MIN
ms bind port max = $BIND_PORT_MAX

auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false

osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail warn = 2
mon data avail crit = 1
paxos propose interval = 0.05

osd objectstore = bluestore
osd memory target = $OSD_MEMORY_TARGET
bluestore block create = true
bluestore block size = $OSD_FILE_SIZE

mgr initial modules = iostat

run dir = $DIR/run
crash dir = $DIR/crash
EOF
  # Cluster-specific [global] lines (none for the primary, whose file stays as it always was)
  [[ -z $CONF_EXTRA ]] || printf '%s\n' "$CONF_EXTRA" >>"$CONF"
  cat >>"$CONF" <<EOF

[mon]
mon data = $DIR/mon/\$cluster-\$id
keyring = $DIR/mon/\$cluster-\$id/keyring
mon cluster log file = $DIR/log/\$cluster.\$channel.log
log file = $DIR/log/\$cluster-\$name.log
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$cluster-\$name.asok

[mgr]
mgr data = $DIR/mgr/\$cluster-\$id
keyring = $DIR/mgr/\$cluster-\$id/keyring
log file = $DIR/log/\$cluster-\$name.log
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$cluster-\$name.asok

[osd]
osd data = $DIR/osd/\$cluster-\$id
keyring = $DIR/osd/\$cluster-\$id/keyring
log file = $DIR/log/\$cluster-\$name.log
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$cluster-\$name.asok

[client]
keyring = $DIR/ceph.\$name.keyring
EOF
}

new_keyring() { # $1 file, $2 entity, rest: --cap args. Generates a key; prints nothing.
  local f=$1 n=$2
  shift 2
  (umask 077 && ceph-authtool --create-keyring "$f" --gen-key -n "$n" "$@" >/dev/null)
}

bootstrap() {
  local fsid osd_uuid tmp=$DIR/tmp
  log "bootstrapping a new cluster in $DIR (mon 127.0.0.1:$MON_PORT_V2/$MON_PORT_V1)"
  port_busy "$MON_PORT_V2" && die "port 127.0.0.1:$MON_PORT_V2 is in use (another cluster? set ${ENV}_DIR and ${ENV}_MON_PORT_V2/_V1)"
  port_busy "$MON_PORT_V1" && die "port 127.0.0.1:$MON_PORT_V1 is in use (another cluster? set ${ENV}_DIR and ${ENV}_MON_PORT_V2/_V1)"

  mkdir -p "$DIR"
  printf '%s' "$MARKER" >"$OURS"
  mkdir -p "$DIR"/{log,run,crash,mon,mgr,osd/ceph-0,mgr/ceph-x} "$tmp"
  chmod 0700 "$DIR" "$tmp"
  fsid=$(</proc/sys/kernel/random/uuid)
  osd_uuid=$(</proc/sys/kernel/random/uuid)
  write_conf "$fsid"

  # 1. keys: mon., client.admin, mgr.x, osd.0, client.blockferry; all go into the mon's auth db
  new_keyring "$tmp/mon.keyring" mon. --cap mon 'allow *'
  new_keyring "$DIR/ceph.client.admin.keyring" client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *'
  new_keyring "$DIR/mgr/ceph-x/keyring" mgr.x \
    --cap mon 'allow profile mgr' --cap osd 'allow *' --cap mds 'allow *'
  new_keyring "$DIR/osd/ceph-0/keyring" osd.0 \
    --cap mon 'allow profile osd' --cap mgr 'allow profile osd' --cap osd 'allow *'
  new_keyring "$DIR/ceph.client.$CLIENT_ID.keyring" "client.$CLIENT_ID" \
    --cap mon "$CLIENT_CAPS_MON" --cap osd "$CLIENT_CAPS_OSD"
  local k
  for k in "$DIR/ceph.client.admin.keyring" "$DIR/mgr/ceph-x/keyring" "$DIR/osd/ceph-0/keyring" \
    "$DIR/ceph.client.$CLIENT_ID.keyring"; do
    ceph-authtool "$tmp/mon.keyring" --import-keyring "$k" >/dev/null
  done

  # 2. monmap, 3. mon mkfs + start
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT_V2,v1:127.0.0.1:$MON_PORT_V1]" \
    "$tmp/monmap" >/dev/null
  ceph-mon --conf "$CONF" --id a --mkfs --monmap "$tmp/monmap" --keyring "$tmp/mon.keyring" \
    >>"$DIR/log/ceph-mon.a.out" 2>&1 9>&- || die "ceph-mon --mkfs failed; see $DIR/log/"
  rm -f "$tmp/mon.keyring" "$tmp/monmap"
  start_daemon mon a
  start_daemon mgr x

  # 4. one ceph CLI call (each costs about 1 s): register osd id 0, create the pools, set caps
  local out
  out=$(admin_batch "osd new $osd_uuid 0" "${POOL_CMDS[@]}")
  grep -qx 0 <<<"$out" || die "ceph osd new did not return id 0; see $DIR/log/bootstrap.log"
  # OSD: bluestore on a sparse file, then start
  ceph-osd --conf "$CONF" --id 0 --mkfs --osd-uuid "$osd_uuid" \
    >>"$DIR/log/ceph-osd.0.out" 2>&1 9>&- || die "ceph-osd --mkfs failed; see $DIR/log/ceph-osd.0.out"
  start_daemon osd 0

  init_pools
  echo "$SETUP_VERSION" >"$DONE"
  rmdir "$tmp" 2>/dev/null || true
}

# 5. Pools: create (size 1 from the defaults), enable rbd, and (re)apply the client's caps.
# All idempotent. The client user itself is created at bootstrap (its key goes into mon mkfs).
POOL_CMDS=()
for _p in "${POOLS[@]}"; do
  POOL_CMDS+=("osd pool create $_p 8 8" "osd pool application enable $_p rbd")
done
POOL_CMDS+=("auth caps client.$CLIENT_ID mon '$CLIENT_CAPS_MON' osd '$CLIENT_CAPS_OSD'")
# The OSD's file counts as a hard disk, where Ceph trims deleted snapshots with a 5 s sleep per
# step; tests and benchmarks delete many snapshots and would fill the OSD before it catches up.
POOL_CMDS+=("config set osd osd_snap_trim_sleep_hdd 0")
unset _p

# Runs ceph CLI commands in one process (interactive mode reading stdin); fails on any error.
admin_batch() {
  local out
  out=$(printf '%s\n' "$@" | admin 2>&1) || {
    printf '%s\n' "$out" >>"$DIR/log/bootstrap.log"
    die "ceph CLI failed; see $DIR/log/bootstrap.log"
  }
  printf '%s\n' "$out" >>"$DIR/log/bootstrap.log"
  grep -q '^Error' <<<"$out" && die "ceph command failed: $(grep -m1 '^Error' <<<"$out"); see $DIR/log/bootstrap.log"
  printf '%s\n' "$out"
}

# rbd pool init writes objects: it blocks until the PGs are active (needs the OSD up)
init_pools() {
  local p deadline=$((SECONDS + WAIT_SECS))
  for p in "${POOLS[@]}"; do
    until timeout 15 rbd --conf "$CONF" --id admin pool init "$p" 2>>"$DIR/log/bootstrap.log"; do
      daemon_pid osd 0 >/dev/null || die "ceph-osd died; see $DIR/log/ceph-osd.0.log"
      ((SECONDS < deadline)) || die "rbd pool init $p did not succeed within ${WAIT_SECS}s; see $DIR/log/"
      sleep 0.5
    done
  done
}

setup_pools() {
  admin_batch "${POOL_CMDS[@]}" >/dev/null
  init_pools
  echo "$SETUP_VERSION" >"$DONE"
}

summary() { # $1 what happened
  local v2 v1
  read -r v2 v1 < <(mon_ports_from_conf)
  printf '%s: cluster usable (%s in %ss): dir %s, mon 127.0.0.1:%s/%s, pools %s, user client.%s\n' \
    "$DEV_NAME" "$1" "$(elapsed "$T0")" "$DIR" "$v2" "$v1" "${POOLS[*]}" "$CLIENT_ID"
}

# ---------------------------------------------------------------------------------------------
# Commands

lock() {
  mkdir -p "$(dirname "$DIR")"
  { exec 9>>"$LOCK"; } 2>/dev/null || die "cannot open lock file $LOCK (permissions?)"
  flock -w 300 9 || die "another ceph-dev.sh holds $LOCK"
}

other_cluster() { # prints the name of the other cluster whose directory $DIR is, if it is one
  local theirs
  [[ -e $OURS ]] && theirs=$(<"$OURS") && [[ $theirs != "$MARKER" ]] && echo "${theirs:-primary}"
}

check_ours() { # refuse to touch a non-empty directory we did not create
  if [[ -d $DIR && ! -e $OURS ]] && [[ -n $(ls -A "$DIR" 2>/dev/null) ]]; then
    die "$DIR exists, is not empty and was not created by ceph-dev.sh; refusing to touch it"
  fi
  local theirs
  if theirs=$(other_cluster); then
    die "$DIR holds the $theirs cluster, not the $CLUSTER one; refusing to touch it (set ${ENV}_DIR)"
  fi
}

cmd_start() {
  ensure_packages
  lock
  check_ours
  if [[ -f $DONE ]]; then
    if all_running && [[ $(<"$DONE") == "$SETUP_VERSION" ]] && probe_all 5; then
      summary "already running"
      return 0
    fi
    local what=restarted
    all_running && what="checked"
    start_all
    [[ $(<"$DONE") == "$SETUP_VERSION" ]] || setup_pools
    wait_usable
    summary "$what"
    return 0
  fi
  if [[ -e $OURS ]]; then
    log "found an incomplete cluster in $DIR, recreating it"
    stop_all
    rm -rf -- "$DIR"
  fi
  bootstrap
  wait_usable
  summary "bootstrapped"
}

cmd_stop() {
  lock
  check_ours
  [[ -d $DIR/run ]] || { log "no cluster in $DIR"; return 0; }
  stop_all
  log "stopped (data kept in $DIR)"
}

cmd_purge() {
  lock
  check_ours
  if [[ -d $DIR ]]; then
    [[ -d $DIR/run ]] && stop_all
    rm -rf -- "$DIR"
  fi
  log "purged $DIR"
}

cmd_status() {
  if [[ ! -f $DONE ]]; then
    echo "$DEV_NAME: no cluster in $DIR"
    return 3
  fi
  local theirs
  if theirs=$(other_cluster); then
    echo "$DEV_NAME: no cluster in $DIR (it holds the $theirs cluster)"
    return 3
  fi
  local d down=()
  for d in "${DAEMONS[@]}"; do daemon_pid $d >/dev/null || down+=("${d/ /.}"); done
  if ((${#down[@]})); then
    echo "$DEV_NAME: DOWN: not running: ${down[*]} (dir $DIR)"
    return 2
  fi
  if ! probe_all 10; then
    echo "$DEV_NAME: DEGRADED: daemons running but rados put/get as client.$CLIENT_ID fails (logs $DIR/log/)"
    return 1
  fi
  local v2 v1
  read -r v2 v1 < <(mon_ports_from_conf)
  echo "$DEV_NAME: UP: dir $DIR, mon 127.0.0.1:$v2/$v1, pools ${POOLS[*]} usable as client.$CLIENT_ID"
}

cmd_target_env() {
  if [ "$MARKER" != dr ]; then
    printf 'ceph-dev: ERROR: target-env is for the DR cluster: scripts/ceph-dev.sh --cluster dr target-env\n' >&2
    exit 64
  fi
  printf 'export BLOCKFERRY_TARGET_REPLICA=rbd\n'
  printf 'export BLOCKFERRY_TARGET_DR_CONF=%q\n' "$CONF"
  printf 'export BLOCKFERRY_TARGET_DR_ID=%q\n' "$CLIENT_ID"
  printf 'export BLOCKFERRY_TARGET_DR_KEYRING=%q\n' "$DIR/ceph.client.$CLIENT_ID.keyring"
}

cmd_env() {
  printf 'export BLOCKFERRY_CEPH_CONF=%q\n' "$CONF"
  printf 'export BLOCKFERRY_CEPH_ID=%q\n' "$CLIENT_ID"
  printf 'export BLOCKFERRY_CEPH_KEYRING=%q\n' "$DIR/ceph.client.$CLIENT_ID.keyring"
  printf 'export CEPH_CONF=%q\n' "$CONF"
}

cmd_admin_args() {
  printf -- '--conf %s --id admin\n' "$CONF"
}

case $COMMAND in
  start) cmd_start ;;
  stop) cmd_stop ;;
  purge) cmd_purge ;;
  status) cmd_status ;;
  env) cmd_env ;;
  target-env) cmd_target_env ;;
  admin-args) cmd_admin_args ;;
  -h | --help | help) usage ;;
  *)
    usage
    exit 64
    ;;
esac
