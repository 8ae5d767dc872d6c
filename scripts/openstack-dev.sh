#!/usr/bin/env bash
# openstack-dev.sh - a minimal REAL OpenStack (Zed, Debian 12 packages) on 127.0.0.1 for Blockferry
# integration tests and demos, on top of the one-node Ceph of scripts/ceph-dev.sh.
#
# Usage: scripts/openstack-dev.sh {start|stop|status|env [--admin]|purge}
#
#   start        install packages if missing, set up or restart everything, wait until usable
#   stop         stop every OpenStack process (state kept)
#   status       exit 0 if every process runs and every API answers
#   env          print OS_* exports for the demo user:  eval "$(scripts/openstack-dev.sh env)"
#   env --admin  the same for the cloud admin (project admin)
#   purge        stop and delete the state directory (Ceph pools/users are left alone)
#
# Environment:
#   BLOCKFERRY_OPENSTACK_DIR   state directory (default /var/tmp/blockferry-openstack)
#   BLOCKFERRY_OPENSTACK_WAIT  seconds to wait for each API / the compute heartbeat (default 240)
#
# DR site: pool dr-volumes and user client.blockferry-dr, keyring in
# $BLOCKFERRY_OPENSTACK_DIR/ceph; cinder may read dr-volumes (the parents of failover clones).
# Services (all on 127.0.0.1): MariaDB 3306, RabbitMQ 5672, Keystone 5000, Placement 8778,
# Glance 9292 (RBD store, pool images), Cinder 8776 (RBD backends ceph-ssd -> volumes,
# ceph-hdd -> volumes-hdd), Nova 8774 (compute = fake.FakeDriver), Neutron 9696.
# Passwords are generated on the first start into $BLOCKFERRY_OPENSTACK_DIR/secrets (mode 0600)
# and are never printed except by `env`.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly HERE
readonly CEPH_DEV=$HERE/ceph-dev.sh
readonly ASSETS=$HERE/openstack

DIR_RAW=${BLOCKFERRY_OPENSTACK_DIR:-/var/tmp/blockferry-openstack}
DIR=$(realpath -m -- "$DIR_RAW")
readonly DIR
readonly OURS=$DIR/.blockferry-openstack-dev
readonly LOCK=$DIR.lock
readonly WAIT_SECS=${BLOCKFERRY_OPENSTACK_WAIT:-240}
readonly PY=/usr/bin/python3
readonly CLEAN_PATH=/usr/sbin:/usr/bin:/sbin:/bin
readonly REGION=RegionOne
readonly OS_HOST=blockferry-node      # [DEFAULT] host of nova and cinder services

readonly PACKAGES=(
  mariadb-server rabbitmq-server python3-pymysql uwsgi uwsgi-plugin-python3
  keystone python3-openstackclient glance placement-api
  cinder-api cinder-scheduler cinder-volume
  nova-api nova-conductor nova-scheduler python3-nova
  neutron-common python3-rbd python3-rados
)

DEV_NAME=openstack-dev
# shellcheck source=lib/dev-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/dev-common.sh"

# ---------------------------------------------------------------------------------------------
# Packages

ensure_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  ((${#missing[@]} == 0)) && return 0
  ((EUID == 0)) || die "packages missing (${missing[*]}); run start as root"
  local t=$EPOCHREALTIME created_policy=0 rc=0 aptlog=$LOGD/apt.log
  log "installing ${#missing[@]} missing packages with apt (${missing[*]})"
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\n# installed temporarily by blockferry openstack-dev.sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  {
    apt-get update -q &&
      env DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true PATH="$CLEAN_PATH" \
        apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${PACKAGES[@]}"
  } >"$aptlog" 2>&1 || rc=$?
  ((created_policy)) && rm -f /usr/sbin/policy-rc.d
  if ((rc != 0)); then
    tail -n 30 "$aptlog" >&2 || true
    die "apt-get failed (rc=$rc); full log: $aptlog"
  fi
  log "packages installed in $(elapsed "$t")s"
}


# ---------------------------------------------------------------------------------------------
# Layout, secrets, environment

readonly ETC=$DIR/etc LOGD=$DIR/log RUN=$DIR/run LIB=$DIR/lib SECRETS=$DIR/secrets
readonly CEPH_OS_CONF=$DIR/ceph/ceph.conf
readonly MYSQL_SOCK=$RUN/mysqld.sock
# Every process we start carries this variable: it is how stop/status recognise our processes.
readonly MARK=BLOCKFERRY_OPENSTACK_OWNER
readonly BASE_ENV=(PATH="$CLEAN_PATH" HOME="$DIR/home" LANG=C.UTF-8 LC_ALL=C.UTF-8 "$MARK=$DIR")

# name port url (url answered without auth) - in start order
readonly APIS=(
  "keystone 5000 http://127.0.0.1:5000/v3"
  "placement 8778 http://127.0.0.1:8778/"
  "glance-api 9292 http://127.0.0.1:9292/versions"
  "cinder-api 8776 http://127.0.0.1:8776/"
  "nova-api 8774 http://127.0.0.1:8774/"
  "neutron-server 9696 http://127.0.0.1:9696/"
)
readonly OPENSTACK_PROCS=(keystone placement glance-api cinder-api cinder-scheduler cinder-volume
  nova-api nova-conductor nova-scheduler nova-compute neutron-server)
readonly INFRA_PROCS=(mariadb rabbitmq)

osenv() { env -i "${BASE_ENV[@]}" "$@"; } # run an OpenStack CLI with a clean environment

secret() { # $1 name: print the password, generating it on first use (never logged)
  local f=$SECRETS/$1.pw
  if [[ ! -s $f ]]; then
    mkdir -p "$SECRETS" && chmod 0700 "$SECRETS"
    (umask 077 && od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$f")
  fi
  cat "$f"
}

load_secrets() {
  ADMIN_PW=$(secret admin)
  local u
  for u in blockferry blockferry-reader other-user; do secret "$u" >/dev/null; done # os-setup.py reads them
  SERVICE_PW=$(secret service)
  DB_PW=$(secret db)
  RABBIT_PW=$(secret rabbitmq)
  # libvirt secret uuid for rbd_secret_uuid (not used by the fake driver, but Cinder reports it)
  [[ -s $SECRETS/rbd-secret.uuid ]] || (umask 077 && cat /proc/sys/kernel/random/uuid >"$SECRETS/rbd-secret.uuid")
  RBD_SECRET_UUID=$(<"$SECRETS/rbd-secret.uuid")
}

db_url() { printf 'mysql+pymysql://%s:%s@127.0.0.1:3306/%s?charset=utf8' "$1" "$DB_PW" "${2:-$1}"; }
rabbit_url() { printf 'rabbit://openstack:%s@127.0.0.1:5672/' "$RABBIT_PW"; }

# ---------------------------------------------------------------------------------------------
# Processes

# A pid file holds "PID STARTTIME" (field 22 of /proc/PID/stat): pid reuse cannot fool it, and it
# does not depend on /proc/PID/environ, which setproctitle (oslo.service, uwsgi) overwrites.
proc_stat_field() { # $1 pid, $2 field number of /proc/PID/stat (>= 3)
  local s a
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) }
  read -r -a a <<<"$s"
  echo "${a[$(($2 - 3))]}"
}

proc_pid() { # pid of a running process of ours ($1 = name), or fail
  local f=$RUN/$1.pid pid st
  [[ -s $f ]] || return 1
  read -r pid st <"$f" || true
  [[ $pid =~ ^[0-9]+$ && -n $st ]] || return 1
  [[ $(proc_stat_field "$pid" 22) == "$st" ]] || return 1
  [[ $(proc_stat_field "$pid" 3) != Z ]] || return 1
  printf '%s\n' "$pid"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# $1 name, $2 port to check (or -), rest: command. Runs it detached in its own session with a
# clean environment; stdout/stderr go to $LOGD/$name.out.
launch() {
  local name=$1 port=$2
  shift 2
  proc_pid "$name" >/dev/null && return 0
  if [[ $port != - ]] && port_busy "$port"; then
    die "cannot start $name: port 127.0.0.1:$port is used by a process that is not ours"
  fi
  printf '\n===== %s starting %s\n' "$(date -Is)" "$name" >>"$LOGD/$name.out"
  # 9>&-: the daemon must not inherit the lock of this script
  setsid env -i "${BASE_ENV[@]}" "$@" </dev/null >>"$LOGD/$name.out" 2>&1 9>&- &
  local pid=$!
  echo "$pid $(proc_stat_field "$pid" 22 || true)" >"$RUN/$name.pid"
  STARTED+=("$name")
}

# Pids (other than this shell) in one of the sessions $@ (each launched process leads its own
# session), or carrying our mark in their environment (e.g. epmd, which leaves the session).
our_pids() {
  local p sid s
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [[ $p == "$$" || $p == "$BASHPID" ]] && continue
    sid=$(proc_stat_field "$p" 6) || continue
    for s; do
      [[ $sid == "$s" ]] && { echo "$p"; continue 2; }
    done
    grep -qzx "$MARK=$DIR" "/proc/$p/environ" 2>/dev/null && echo "$p"
  done
  return 0
}

alive_any() { local p; for p; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }

# $1 timeout (s), rest: names. SIGTERM to each process group, wait, then SIGKILL.
stop_procs() {
  local t=$1 n pid pids=() i
  local -A name_of=()
  shift
  for n; do
    pid=$(proc_pid "$n") || { rm -f "$RUN/$n.pid"; continue; }
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
    name_of[$pid]=$n
  done
  if ((${#pids[@]})); then
    for ((i = 0; i < t * 5; i++)); do
      alive_any "${pids[@]}" || break
      sleep 0.2
    done
    for pid in "${pids[@]}"; do
      if kill -0 "$pid" 2>/dev/null; then
        log "${name_of[$pid]} (pid $pid) did not exit within ${t}s: SIGKILL"
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      fi
    done
  fi
  for n; do rm -f "$RUN/$n.pid"; done
}

stop_all() {
  [[ -d $RUN ]] || return 0
  local n pid sids=() left i
  for n in "${OPENSTACK_PROCS[@]}" "${INFRA_PROCS[@]}"; do
    pid=$(proc_pid "$n") && sids+=("$pid")
  done
  stop_procs 20 "${OPENSTACK_PROCS[@]}"
  stop_procs 30 "${INFRA_PROCS[@]}"
  # leftovers: workers whose session leader died, epmd started by RabbitMQ, ...
  left=$(our_pids "${sids[@]}")
  if [[ -n $left ]]; then
    # shellcheck disable=SC2086
    kill -TERM $left 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      left=$(our_pids "${sids[@]}")
      [[ -z $left ]] && break
      sleep 0.2
    done
    # shellcheck disable=SC2086
    [[ -n $left ]] && kill -KILL $left 2>/dev/null || true
  fi
}

http_code() { curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" 2>/dev/null || true; }

api_answers() { # $1 url: any HTTP answer below 500
  local c
  c=$(http_code "$1")
  [[ $c =~ ^[1-4][0-9][0-9]$ ]]
}

logfile_of() { # the most useful log of a process
  if [[ -s $LOGD/$1.log ]]; then echo "$LOGD/$1.log"; else echo "$LOGD/$1.out"; fi
}

wait_api() { # $1 name, $2 url
  local deadline=$((SECONDS + WAIT_SECS))
  until api_answers "$2"; do
    proc_pid "$1" >/dev/null || die "$1 exited; see $(logfile_of "$1") (and $LOGD/$1.out)"
    ((SECONDS < deadline)) || die "$1 does not answer $2 after ${WAIT_SECS}s; see $(logfile_of "$1")"
    sleep 0.5
  done
}

sql() { mysql --no-defaults -S "$MYSQL_SOCK" -uroot -N -B "$@"; }

# ---------------------------------------------------------------------------------------------
# Ceph: pools, cephx users, a client ceph.conf for the OpenStack services

ceph_setup() {
  local t=$EPOCHREALTIME
  "$CEPH_DEV" start 1>&2 || die "$CEPH_DEV start failed (see above); OpenStack needs a usable Ceph"
  local args conf fsid monhost pools p
  read -r -a args <<<"$("$CEPH_DEV" admin-args)"
  [[ ${args[0]} == --conf ]] || die "unexpected output of ceph-dev.sh admin-args"
  conf=${args[1]}
  # ceph/rbd CLIs (python) run with the clean environment too
  CEPH_ADMIN=("${args[@]}")
  pools=$(osenv ceph "${CEPH_ADMIN[@]}" osd pool ls)
  # dr-volumes: this cloud's Ceph as a DR site, where a Blockferry target keeps its DR replicas
  # (blockferry.target.replica=rbd) and fails servers over from (clones adopted by Cinder)
  for p in images volumes-hdd dr-volumes; do
    grep -qx -- "$p" <<<"$pools" && continue
    log "creating Ceph pool $p"
    {
      osenv ceph "${CEPH_ADMIN[@]}" osd pool create "$p" 8 8 &&
        osenv ceph "${CEPH_ADMIN[@]}" osd pool set "$p" size 1 --yes-i-really-mean-it &&
        osenv ceph "${CEPH_ADMIN[@]}" osd pool application enable "$p" rbd &&
        osenv timeout 60 rbd "${CEPH_ADMIN[@]}" pool init "$p"
    } >>"$LOGD/ceph-setup.log" 2>&1 || die "creating pool $p failed; see $LOGD/ceph-setup.log"
    echo "$p" >>"$LIB/ceph-pools-created"
  done
  ensure_cephx glance 'profile rbd' 'profile rbd pool=images'
  # cinder reads dr-volumes: a failover's volumes are clones of DR snapshots there
  ensure_cephx cinder 'profile rbd' \
    'profile rbd pool=volumes, profile rbd pool=volumes-hdd, profile rbd pool=vms, profile rbd pool=images, profile rbd-read-only pool=dr-volumes'
  # the Blockferry target of this DR site: writes its replicas and clones them into the volume pools
  ensure_cephx blockferry-dr 'profile rbd' \
    'profile rbd pool=dr-volumes, profile rbd pool=volumes, profile rbd pool=volumes-hdd'
  fsid=$(sed -n 's/^[[:space:]]*fsid[[:space:]]*=[[:space:]]*//p' "$conf" | head -n1)
  monhost=$(sed -n 's/^[[:space:]]*mon host[[:space:]]*=[[:space:]]*//p' "$conf" | head -n1)
  [[ -n $fsid && -n $monhost ]] || die "cannot read fsid / mon host from $conf"
  mkdir -p "$RUN/ceph"
  cat >"$CEPH_OS_CONF" <<EOF
# Generated by blockferry scripts/openstack-dev.sh: client view of the ceph-dev.sh cluster.
[global]
fsid = $fsid
mon host = $monhost
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
ms bind ipv6 = false
run dir = $RUN/ceph
log file = $LOGD/ceph-client.\$name.log

[client]
keyring = $DIR/ceph/ceph.\$name.keyring
rbd cache = true
EOF
  log "Ceph ready (pools images, volumes-hdd, dr-volumes; users client.glance, client.cinder, client.blockferry-dr) in $(elapsed "$t")s"
}

ensure_cephx() { # $1 id, $2 mon caps, $3 osd caps; writes the keyring into $DIR/ceph (0600)
  local id=client.$1 kr=$DIR/ceph/ceph.client.$1.keyring
  {
    # one call when nothing changed (each ceph CLI call costs ~0.7 s)
    if (umask 077 && osenv ceph "${CEPH_ADMIN[@]}" auth get "$id" -o "$kr.tmp"); then
      if ! grep -qF "caps mon = \"$2\"" "$kr.tmp" || ! grep -qF "caps osd = \"$3\"" "$kr.tmp"; then
        osenv ceph "${CEPH_ADMIN[@]}" auth caps "$id" mon "$2" osd "$3" &&
          (umask 077 && osenv ceph "${CEPH_ADMIN[@]}" auth get "$id" -o "$kr.tmp")
      fi
    else
      (umask 077 && osenv ceph "${CEPH_ADMIN[@]}" auth get-or-create "$id" mon "$2" osd "$3" -o "$kr.tmp")
    fi && mv -f "$kr.tmp" "$kr"
  } >>"$LOGD/ceph-setup.log" 2>&1 || die "setting up cephx user $id failed; see $LOGD/ceph-setup.log"
}

# ---------------------------------------------------------------------------------------------
# Configuration files (rewritten at every start; a running process keeps the old ones)

authtoken() { # $1 section, $2 user
  printf '\n[%s]\n' "$1"
  ksopts "$2"
}

ksopts() { # keystoneauth password options for service user $1
  cat <<EOF
www_authenticate_uri = http://127.0.0.1:5000
auth_url = http://127.0.0.1:5000
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $SERVICE_PW
region_name = $REGION
EOF
}

write_configs() {
  local d
  for d in keystone/fernet-keys keystone/credential-keys placement glance cinder nova neutron rabbitmq mysql empty; do
    mkdir -p "$ETC/$d"
  done
  chmod 0700 "$ETC" "$ETC/keystone/fernet-keys" "$ETC/keystone/credential-keys"

  # --- MariaDB
  cat >"$ETC/mysql/my.cnf" <<EOF
[mysqld]
datadir = $LIB/mysql
socket = $MYSQL_SOCK
pid-file = $LIB/mysqld.pid
port = 3306
bind-address = 127.0.0.1
user = root
skip-name-resolve
log-error = $LOGD/mariadb.log
max_connections = 1000
character-set-server = utf8
collation-server = utf8_general_ci
innodb_buffer_pool_size = 256M
innodb_flush_log_at_trx_commit = 2
innodb_log_file_size = 64M
EOF

  # --- RabbitMQ
  cat >"$ETC/rabbitmq/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:5672
disk_free_limit.absolute = 50MB
log.console = false
log.file.level = info
EOF
  echo '[].' >"$ETC/rabbitmq/enabled_plugins"
  : >"$ETC/rabbitmq/rabbitmq-env.conf"
  RABBIT_ENV=(
    HOME="$LIB/rabbitmq/home"
    RABBITMQ_NODENAME=blockferry@localhost
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    RABBITMQ_NODE_PORT=5672
    RABBITMQ_DIST_PORT=25672
    ERL_EPMD_ADDRESS=127.0.0.1
    RABBITMQ_CONF_ENV_FILE="$ETC/rabbitmq/rabbitmq-env.conf"
    RABBITMQ_CONFIG_FILE="$ETC/rabbitmq/rabbitmq.conf"
    RABBITMQ_ADVANCED_CONFIG_FILE="$ETC/rabbitmq/advanced.config"
    RABBITMQ_ENABLED_PLUGINS_FILE="$ETC/rabbitmq/enabled_plugins"
    RABBITMQ_MNESIA_BASE="$LIB/rabbitmq/mnesia"
    RABBITMQ_LOG_BASE="$LOGD/rabbitmq"
    RABBITMQ_PID_FILE="$LIB/rabbitmq/rabbitmq.pid"
  )
  mkdir -p "$LIB/rabbitmq/home" "$LIB/rabbitmq/mnesia" "$LOGD/rabbitmq"

  # --- Keystone
  {
    cat <<EOF
[DEFAULT]
use_stderr = true

[database]
connection = $(db_url keystone)

[token]
provider = fernet

[fernet_tokens]
key_repository = $ETC/keystone/fernet-keys

[credential]
key_repository = $ETC/keystone/credential-keys

# Without a cache, validating one token takes ~500 SQL queries (~0.9 s here). One uwsgi process,
# so an in-process cache stays coherent.
[cache]
enabled = true
backend = dogpile.cache.memory
expiration_time = 600
EOF
  } >"$ETC/keystone/keystone.conf"
  uwsgi_ini keystone 5000 /usr/bin/keystone-wsgi-public >"$ETC/keystone/uwsgi.ini"

  # --- Placement
  {
    cat <<EOF
[DEFAULT]
use_stderr = true

[api]
auth_strategy = keystone

[placement_database]
connection = $(db_url placement)
EOF
    authtoken keystone_authtoken placement
  } >"$ETC/placement/placement.conf"
  uwsgi_ini placement 8778 /usr/bin/placement-api >"$ETC/placement/uwsgi.ini"

  # --- Glance
  mkdir -p "$LIB/glance/staging" "$LIB/glance/tasks" "$LIB/glance/cache"
  {
    cat <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 9292
workers = 1
show_image_direct_url = true
enabled_backends = ceph:rbd
graceful_shutdown_timeout = 5
image_cache_dir = $LIB/glance/cache

[database]
connection = $(db_url glance)

[glance_store]
default_backend = ceph

[ceph]
rbd_store_pool = images
rbd_store_user = glance
rbd_store_ceph_conf = $CEPH_OS_CONF
rbd_store_chunk_size = 8
store_description = Ceph RBD (pool images)

[os_glance_staging_store]
filesystem_store_datadir = $LIB/glance/staging

[os_glance_tasks_store]
filesystem_store_datadir = $LIB/glance/tasks

[paste_deploy]
flavor = keystone
config_file = /etc/glance/glance-api-paste.ini

[oslo_messaging_notifications]
driver = noop

[oslo_concurrency]
lock_path = $LIB/glance/lock
EOF
    authtoken keystone_authtoken glance
  } >"$ETC/glance/glance-api.conf"

  # --- Cinder
  mkdir -p "$LIB/cinder/lock" "$LIB/cinder/conversion"
  {
    cat <<EOF
[DEFAULT]
host = $OS_HOST
my_ip = 127.0.0.1
state_path = $LIB/cinder
auth_strategy = keystone
transport_url = $(rabbit_url)
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = 8776
osapi_volume_workers = 1
api_paste_config = /etc/cinder/api-paste.ini
rootwrap_config = /etc/cinder/rootwrap.conf
enabled_backends = ceph-ssd,ceph-hdd
default_volume_type = ceph-ssd
glance_api_servers = http://127.0.0.1:9292
image_conversion_dir = $LIB/cinder/conversion
report_interval = 5
graceful_shutdown_timeout = 5

[database]
connection = $(db_url cinder)

[oslo_concurrency]
lock_path = $LIB/cinder/lock

[oslo_messaging_notifications]
driver = noop
EOF
    authtoken keystone_authtoken cinder
    authtoken nova cinder
    local b pool
    for b in ceph-ssd:volumes ceph-hdd:volumes-hdd; do
      pool=${b#*:}
      cat <<EOF

[${b%%:*}]
volume_driver = cinder.volume.drivers.rbd.RBDDriver
volume_backend_name = ${b%%:*}
rbd_pool = $pool
rbd_ceph_conf = $CEPH_OS_CONF
rbd_user = cinder
rbd_secret_uuid = $RBD_SECRET_UUID
rbd_flatten_volume_from_snapshot = false
rbd_max_clone_depth = 5
rbd_store_chunk_size = 4
rados_connect_timeout = 10
report_discard_supported = true
image_volume_cache_enabled = false
EOF
    done
  } >"$ETC/cinder/cinder.conf"

  # --- Nova: nova-compute.conf has no database settings; nova.conf = that + databases
  mkdir -p "$LIB/nova/instances" "$LIB/nova/lock"
  {
    cat <<EOF
[DEFAULT]
host = $OS_HOST
my_ip = 127.0.0.1
state_path = $LIB/nova
instances_path = $LIB/nova/instances
transport_url = $(rabbit_url)
enabled_apis = osapi_compute
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = 8774
osapi_compute_workers = 1
compute_driver = fake.FakeDriver
report_interval = 5
service_down_time = 60
graceful_shutdown_timeout = 5
rootwrap_config = /etc/nova/rootwrap.conf

[api]
auth_strategy = keystone

[wsgi]
api_paste_config = /etc/nova/api-paste.ini

[conductor]
workers = 1

[scheduler]
workers = 1
discover_hosts_in_cells_interval = 10

[vnc]
enabled = false

[oslo_concurrency]
lock_path = $LIB/nova/lock

[oslo_messaging_notifications]
driver = noop

[glance]
region_name = $REGION
valid_interfaces = public

[cinder]
catalog_info = volumev3:cinderv3:publicURL
os_region_name = $REGION
EOF
    ksopts nova
    authtoken keystone_authtoken nova
    authtoken service_user nova
    echo "send_service_user_token = true"
    authtoken placement nova
    echo "valid_interfaces = public"
    authtoken neutron nova
    echo "valid_interfaces = public"
  } >"$ETC/nova/nova-compute.conf"
  {
    cat "$ETC/nova/nova-compute.conf"
    cat <<EOF

[api_database]
connection = $(db_url nova nova_api)

[database]
connection = $(db_url nova nova)
EOF
  } >"$ETC/nova/nova.conf"

  # --- Neutron (API only: ML2 without mechanism drivers or agents)
  mkdir -p "$LIB/neutron/lock"
  {
    cat <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 9696
core_plugin = ml2
# "router" also loads the port_forwarding model that ML2 get_ports needs (else: 500 AttributeError
# Port.port_forwardings on GET /v2.0/ports, which nova calls on every server delete)
service_plugins = router
auth_strategy = keystone
api_workers = 1
rpc_workers = 0
rpc_state_report_workers = 0
transport_url = $(rabbit_url)
state_path = $LIB/neutron
api_paste_config = /etc/neutron/api-paste.ini
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
graceful_shutdown_timeout = 5

[database]
connection = $(db_url neutron)

[oslo_concurrency]
lock_path = $LIB/neutron/lock

[oslo_messaging_notifications]
driver = noop

[agent]
root_helper =
EOF
    authtoken keystone_authtoken neutron
  } >"$ETC/neutron/neutron.conf"
  cat >"$ETC/neutron/ml2_conf.ini" <<EOF
[ml2]
type_drivers = flat
tenant_network_types =
mechanism_drivers =
extension_drivers = port_security

[ml2_type_flat]
flat_networks = *

[securitygroup]
firewall_driver = noop
EOF
  chmod -R go-rwx "$ETC"
}

uwsgi_ini() { # $1 name, $2 port, $3 wsgi file
  cat <<EOF
[uwsgi]
plugins = python3
http-socket = 127.0.0.1:$2
wsgi-file = $3
master = true
processes = 1
threads = 8
enable-threads = true
thunder-lock = true
lazy-apps = true
need-app = true
die-on-term = true
no-orphans = true
buffer-size = 65535
add-header = Connection: close
EOF
}

# ---------------------------------------------------------------------------------------------
# Infrastructure: MariaDB, RabbitMQ

start_mariadb() {
  if [[ ! -d $LIB/mysql/mysql ]]; then
    log "initialising MariaDB datadir"
    rm -rf "$LIB/mysql"
    mkdir -p "$LIB/mysql"
    mariadb-install-db --no-defaults --datadir="$LIB/mysql" --user=root --skip-test-db \
      --auth-root-authentication-method=socket >"$LOGD/mariadb-install.log" 2>&1 ||
      die "mariadb-install-db failed; see $LOGD/mariadb-install.log"
  fi
  launch mariadb 3306 /usr/sbin/mariadbd --defaults-file="$ETC/mysql/my.cnf"
}

wait_mariadb() {
  local deadline=$((SECONDS + 60))
  until mysqladmin --no-defaults -S "$MYSQL_SOCK" -uroot ping >/dev/null 2>&1; do
    proc_pid mariadb >/dev/null || die "mariadbd exited; see $LOGD/mariadb.log"
    ((SECONDS < deadline)) || die "MariaDB not answering after 60s; see $LOGD/mariadb.log"
    sleep 0.3
  done
}

setup_databases() {
  local db u stmts=""
  for u in keystone glance placement cinder nova neutron; do
    stmts+="CREATE USER IF NOT EXISTS '$u'@'%' IDENTIFIED BY '$DB_PW';
ALTER USER '$u'@'%' IDENTIFIED BY '$DB_PW';
"
  done
  for db in keystone glance placement cinder neutron; do
    stmts+="CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8;
GRANT ALL PRIVILEGES ON \`$db\`.* TO '$db'@'%';
"
  done
  for db in nova_api nova nova_cell0; do
    stmts+="CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8;
GRANT ALL PRIVILEGES ON \`$db\`.* TO 'nova'@'%';
"
  done
  sql <<<"$stmts" 2>>"$LOGD/mariadb-setup.log" || die "creating databases failed; see $LOGD/mariadb-setup.log"
}

rabbitmqctl_() { env -i "${BASE_ENV[@]}" "${RABBIT_ENV[@]}" /usr/lib/rabbitmq/bin/rabbitmqctl "$@"; }

start_rabbitmq() {
  launch rabbitmq 5672 env "${RABBIT_ENV[@]}" /usr/lib/rabbitmq/bin/rabbitmq-server
}

wait_rabbitmq() {
  local deadline=$((SECONDS + 90))
  until port_busy 5672; do
    proc_pid rabbitmq >/dev/null || die "RabbitMQ exited; see $LOGD/rabbitmq.out and $LOGD/rabbitmq/"
    ((SECONDS < deadline)) || die "RabbitMQ not listening on 5672 after 90s; see $LOGD/rabbitmq.out and $LOGD/rabbitmq/"
    sleep 0.3
  done
  # the user lives in mnesia: set it up only when it was never done for this password
  # (each rabbitmqctl call boots an Erlang VM: 2-3 s)
  local sum
  sum=$(sha256sum "$SECRETS/rabbitmq.pw" | cut -d' ' -f1)
  [[ -f $LIB/rabbitmq/user.done && $(<"$LIB/rabbitmq/user.done") == "$sum" ]] && return 0
  {
    rabbitmqctl_ -q await_startup --timeout 60 &&
      { rabbitmqctl_ -q list_users | grep -q '^openstack[[:space:]]' ||
        rabbitmqctl_ -q add_user openstack "$RABBIT_PW"; } &&
      rabbitmqctl_ -q change_password openstack "$RABBIT_PW" &&
      rabbitmqctl_ -q set_permissions -p / openstack '.*' '.*' '.*'
  } >>"$LOGD/rabbitmq-setup.log" 2>&1 || die "setting up the RabbitMQ user failed; see $LOGD/rabbitmq-setup.log"
  echo "$sum" >"$LIB/rabbitmq/user.done"
}

# ---------------------------------------------------------------------------------------------
# Database schemas (once per package version)

pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo none; }

# $1 component, $2 package whose version keys the marker, rest: command
dbsync_job() {
  local comp=$1 pkg=$2 want
  shift 2
  want=$(pkgver "$pkg")
  [[ -f $LIB/dbsync.$comp && $(<"$LIB/dbsync.$comp") == "$want" ]] && return 0
  (
    if "$@" >>"$LOGD/dbsync-$comp.log" 2>&1; then
      echo "$want" >"$LIB/dbsync.$comp"
    else
      exit 1
    fi
  ) &
  SYNC_PIDS+=("$!:$comp")
}

nova_cells_sync() {
  local c=(--config-file "$ETC/nova/nova.conf")
  osenv nova-manage "${c[@]}" api_db sync || return 1
  osenv nova-manage "${c[@]}" cell_v2 map_cell0 || return 1
  if ! osenv nova-manage "${c[@]}" cell_v2 list_cells 2>/dev/null | grep -q ' cell1 '; then
    osenv nova-manage "${c[@]}" cell_v2 create_cell --name cell1 || return 1
  fi
  osenv nova-manage "${c[@]}" db sync
}

keystone_sync() {
  local c=(--config-file "$ETC/keystone/keystone.conf")
  osenv keystone-manage "${c[@]}" db_sync || return 1
  if [[ -z $(ls -A "$ETC/keystone/fernet-keys") ]]; then
    osenv keystone-manage "${c[@]}" fernet_setup --keystone-user root --keystone-group root || return 1
  fi
  if [[ -z $(ls -A "$ETC/keystone/credential-keys") ]]; then
    osenv keystone-manage "${c[@]}" credential_setup --keystone-user root --keystone-group root || return 1
  fi
  env -i "${BASE_ENV[@]}" OS_BOOTSTRAP_PASSWORD="$ADMIN_PW" keystone-manage "${c[@]}" bootstrap \
    --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
    --bootstrap-service-name keystone --bootstrap-region-id "$REGION" \
    --bootstrap-admin-url http://127.0.0.1:5000/v3 \
    --bootstrap-internal-url http://127.0.0.1:5000/v3 \
    --bootstrap-public-url http://127.0.0.1:5000/v3
}

sync_schemas() {
  local t=$EPOCHREALTIME j pid comp failed=()
  SYNC_PIDS=()
  dbsync_job keystone keystone keystone_sync
  dbsync_job placement placement-api osenv placement-manage --config-file "$ETC/placement/placement.conf" db sync
  dbsync_job glance glance osenv glance-manage --config-file "$ETC/glance/glance-api.conf" db_sync
  dbsync_job cinder cinder-api osenv cinder-manage --config-file "$ETC/cinder/cinder.conf" db sync
  dbsync_job nova python3-nova nova_cells_sync
  dbsync_job neutron neutron-common osenv neutron-db-manage --config-file "$ETC/neutron/neutron.conf" \
      --config-file "$ETC/neutron/ml2_conf.ini" upgrade heads
  ((${#SYNC_PIDS[@]})) || return 0
  log "creating/upgrading database schemas (${#SYNC_PIDS[@]} services, in parallel)"
  for j in "${SYNC_PIDS[@]}"; do
    pid=${j%%:*} comp=${j#*:}
    wait "$pid" || failed+=("$comp")
  done
  for comp in "${failed[@]}"; do log "schema sync of $comp failed; see $LOGD/dbsync-$comp.log"; done
  ((${#failed[@]} == 0)) || die "database schema sync failed (${failed[*]})"
  log "schemas ready in $(elapsed "$t")s"
}

# ---------------------------------------------------------------------------------------------
# OpenStack services

start_keystone() {
  launch keystone 5000 env OS_KEYSTONE_CONFIG_DIR="$ETC/keystone" \
    OS_KEYSTONE_CONFIG_FILES=keystone.conf uwsgi --ini "$ETC/keystone/uwsgi.ini"
}

# Placement and Glance use neither RabbitMQ nor Keystone at start-up.
start_services_early() {
  launch placement 8778 env OS_PLACEMENT_CONFIG_DIR="$ETC/placement" uwsgi --ini "$ETC/placement/uwsgi.ini"
  launch glance-api 9292 "$PY" /usr/bin/glance-api --config-file "$ETC/glance/glance-api.conf" \
    --config-dir "$ETC/empty" --log-file "$LOGD/glance-api.log"
}

# These connect to RabbitMQ at start-up; an ACCESS_REFUSED (user not yet created) is fatal to
# them, so they start once the RabbitMQ user exists.
start_services_rabbit() {
  local cd=(--config-dir "$ETC/empty") c port
  for c in api scheduler volume; do
    port=-
    [[ $c == api ]] && port=8776
    launch "cinder-$c" "$port" "$PY" "/usr/bin/cinder-$c" --config-file "$ETC/cinder/cinder.conf" \
      "${cd[@]}" --log-file "$LOGD/cinder-$c.log"
  done
  launch nova-api 8774 "$PY" /usr/bin/nova-api --config-file "$ETC/nova/nova.conf" \
    "${cd[@]}" --log-file "$LOGD/nova-api.log"
  # a wrapper around neutron-server: see scripts/openstack/neutron-server.py
  launch neutron-server 9696 "$PY" "$ASSETS/neutron-server.py" --config-file "$ETC/neutron/neutron.conf" \
    --config-file "$ETC/neutron/ml2_conf.ini" "${cd[@]}" --log-file "$LOGD/neutron-server.log"
}

# nova-conductor, -scheduler and -compute authenticate as the nova service user when they start
# (Placement client): a first start must launch them after the identity set-up, or they exit.
start_nova_rpc_services() {
  local c
  for c in conductor scheduler; do
    launch "nova-$c" - "$PY" "/usr/bin/nova-$c" --config-file "$ETC/nova/nova.conf" \
      --config-dir "$ETC/empty" --log-file "$LOGD/nova-$c.log"
  done
}

start_compute() {
  # heartbeats count from here (or from this script's start if nova-compute already runs)
  proc_pid nova-compute >/dev/null || COMPUTE_T0_UTC=$(date -u '+%F %T')
  # no nova-compute package (it pulls libvirt/qemu): run the entry point of python3-nova.
  # `python3 -m nova.cmd.compute` would exit 0 at once: the module has no __main__ guard.
  launch nova-compute - "$PY" -c 'import sys; from nova.cmd.compute import main; sys.argv[0] = "nova-compute"; sys.exit(main())' \
    --config-file "$ETC/nova/nova-compute.conf" \
    --config-dir "$ETC/empty" --log-file "$LOGD/nova-compute.log"
}

wait_compute() {
  local deadline=$((SECONDS + WAIT_SECS)) n last_discover=0
  # a heartbeat newer than this start (stale "up" rows from before a restart do not count)
  until
    n=$(sql -e "SELECT COUNT(*) FROM nova.services WHERE \`binary\`='nova-compute' AND host='$OS_HOST' \
          AND deleted=0 AND updated_at >= '$COMPUTE_T0_UTC'" 2>/dev/null) && [[ $n -ge 1 ]]
  do
    proc_pid nova-compute >/dev/null || die "nova-compute exited; see $LOGD/nova-compute.log"
    ((SECONDS < deadline)) || die "no nova-compute heartbeat after ${WAIT_SECS}s; see $LOGD/nova-compute.log"
    sleep 1
  done
  until
    n=$(sql -e "SELECT COUNT(*) FROM nova_api.host_mappings WHERE host='$OS_HOST'" 2>/dev/null) && [[ $n -ge 1 ]]
  do
    ((SECONDS < deadline)) || die "host $OS_HOST not mapped to a cell after ${WAIT_SECS}s; see $LOGD/discover-hosts.log"
    if ((SECONDS - last_discover >= 5)); then
      osenv nova-manage --config-file "$ETC/nova/nova.conf" cell_v2 discover_hosts --verbose \
        >>"$LOGD/discover-hosts.log" 2>&1 || true
      last_discover=$SECONDS
    fi
    sleep 1
  done
}

make_image_file() { # the cirros-fake image: 2 MiB random data + 6 MiB zeros, raw
  local f=$LIB/cirros-fake.raw
  [[ -s $f ]] && return 0
  dd if=/dev/urandom of="$f.tmp" bs=1M count=2 status=none
  dd if=/dev/zero of="$f.tmp" bs=1M seek=2 count=6 conv=notrunc status=none
  mv "$f.tmp" "$f"
}

os_setup() { # $1 phase: identity | resources
  osenv BF_WAIT="$WAIT_SECS" "$PY" "$ASSETS/os-setup.py" "$1" "$DIR" 2>&1 | tee -a "$LOGD/os-setup.log" | sed 's/^/openstack-dev: /' >&2
  return "${PIPESTATUS[0]}"
}

# ---------------------------------------------------------------------------------------------
# Commands

lock() {
  mkdir -p "$(dirname "$DIR")"
  exec 9>>"$LOCK"
  flock -w 600 9 || die "another openstack-dev.sh holds $LOCK"
}

check_ours() {
  if [[ -d $DIR && ! -e $OURS ]] && [[ -n $(ls -A "$DIR" 2>/dev/null) ]]; then
    die "$DIR exists, is not empty and was not created by openstack-dev.sh; refusing to touch it"
  fi
}

cmd_start() {
  lock
  check_ours
  mkdir -p "$DIR"
  : >"$OURS"
  chmod 0700 "$DIR"
  mkdir -p "$ETC" "$LOGD" "$RUN" "$LIB" "$DIR/home" "$DIR/ceph"
  STARTED=()
  COMPUTE_T0_UTC=$(date -u '+%F %T')
  ensure_packages
  load_secrets
  write_configs
  start_mariadb
  start_rabbitmq
  ceph_setup # while MariaDB and RabbitMQ boot
  wait_mariadb
  setup_databases
  sync_schemas
  # Services start as early as they can, so that their (slow) imports overlap: Placement and
  # Glance at once, Cinder, nova-api and Neutron once the RabbitMQ user exists, and Nova's
  # conductor, scheduler and compute (they authenticate at start-up) after the identity set-up.
  # On later starts the service users exist already, so Nova starts with the others.
  local idsum
  idsum=$(sha256sum "$SECRETS/service.pw" | cut -d' ' -f1)
  start_keystone
  start_services_early
  wait_rabbitmq
  start_services_rabbit
  if [[ -f $LIB/identity.done && $(<"$LIB/identity.done") == "$idsum" ]]; then
    start_nova_rpc_services
    start_compute
  fi
  wait_api keystone http://127.0.0.1:5000/v3
  os_setup identity || die "identity setup failed; see $LOGD/os-setup.log"
  echo "$idsum" >"$LIB/identity.done"
  start_nova_rpc_services
  start_compute
  local a name url
  for a in "${APIS[@]}"; do
    read -r name _ url <<<"$a"
    wait_api "$name" "$url"
  done
  log "all APIs answer ($(elapsed "$T0")s since start)"
  wait_compute
  log "nova-compute $OS_HOST reports and is mapped to cell1"
  make_image_file
  os_setup resources || die "creating the demo resources failed; see $LOGD/os-setup.log"
  local n
  for n in "${INFRA_PROCS[@]}" "${OPENSTACK_PROCS[@]}"; do
    proc_pid "$n" >/dev/null || die "$n is not running; see $(logfile_of "$n")"
  done
  local started="nothing (all were running)"
  ((${#STARTED[@]})) && started="${STARTED[*]}"
  log "started: $started"
  log "OpenStack usable in $(elapsed "$T0")s: dir $DIR, Keystone http://127.0.0.1:5000/v3, region $REGION"
  log "client env: eval \"\$($0 env)\"   (admin: env --admin)"
}

cmd_stop() {
  lock
  check_ours
  [[ -d $RUN ]] || { log "nothing in $DIR"; return 0; }
  local t=$EPOCHREALTIME
  stop_all
  log "stopped in $(elapsed "$t")s (state kept in $DIR)"
}

cmd_purge() {
  lock
  check_ours
  if [[ -d $DIR ]]; then
    stop_all
    rm -rf -- "$DIR"
  fi
  log "purged $DIR"
  log "Ceph was left alone: pools images, volumes-hdd and dr-volumes, users client.glance, client.cinder and client.blockferry-dr, and any"
  log "RBD images Glance/Cinder created in images, volumes, volumes-hdd stay in the ceph-dev.sh cluster."
}

cmd_status() {
  if [[ ! -e $OURS ]]; then
    echo "openstack-dev: no OpenStack in $DIR"
    return 3
  fi
  local n down=() bad=() a name url
  for n in "${INFRA_PROCS[@]}" "${OPENSTACK_PROCS[@]}"; do
    proc_pid "$n" >/dev/null || down+=("$n")
  done
  for a in "${APIS[@]}"; do
    read -r name _ url <<<"$a"
    api_answers "$url" || bad+=("$name")
  done
  local hb=0
  hb=$(sql -e "SELECT COUNT(*) FROM nova.services WHERE \`binary\`='nova-compute' AND host='$OS_HOST' \
        AND deleted=0 AND updated_at >= UTC_TIMESTAMP() - INTERVAL 60 SECOND" 2>/dev/null) || hb=0
  if ((${#down[@]} || ${#bad[@]})) || [[ $hb -lt 1 ]]; then
    echo "openstack-dev: DOWN: not running: ${down[*]:-none}; API not answering: ${bad[*]:-none}; compute heartbeat fresh: $([[ $hb -ge 1 ]] && echo yes || echo no) (logs $LOGD)"
    return 1
  fi
  echo "openstack-dev: UP: dir $DIR; keystone 5000, placement 8778, glance 9292, cinder 8776, nova 8774, neutron 9696 answer; nova-compute $OS_HOST heartbeat fresh"
}

cmd_env() {
  local user=blockferry project=blockferry-demo pwfile=$SECRETS/blockferry.pw
  if [[ ${1:-} == --admin ]]; then
    user=admin project=admin pwfile=$SECRETS/admin.pw
  elif [[ -n ${1:-} ]]; then
    die "usage: env [--admin]"
  fi
  [[ -s $pwfile ]] || die "no password in $pwfile: run '$0 start' first"
  echo "unset OS_CLOUD OS_TOKEN OS_AUTH_TYPE OS_PROJECT_ID OS_USER_DOMAIN_ID OS_PROJECT_DOMAIN_ID OS_DOMAIN_NAME OS_SYSTEM_SCOPE"
  printf 'export OS_AUTH_URL=%q\n' http://127.0.0.1:5000/v3
  echo 'export OS_IDENTITY_API_VERSION=3'
  printf 'export OS_USERNAME=%q\n' "$user"
  printf 'export OS_PASSWORD=%q\n' "$(<"$pwfile")"
  printf 'export OS_PROJECT_NAME=%q\n' "$project"
  echo 'export OS_USER_DOMAIN_NAME=Default'
  echo 'export OS_PROJECT_DOMAIN_NAME=Default'
  printf 'export OS_REGION_NAME=%q\n' "$REGION"
  echo 'export OS_INTERFACE=public'
  if [[ ${1:-} != --admin ]]; then
    echo "# cloud admin: eval \"\$($0 env --admin)\"; other users (passwords in $SECRETS):"
    echo "#   blockferry-reader (reader on blockferry-demo), other-user (domain blockferry-other, project other-project)"
  fi
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  purge) cmd_purge ;;
  status) cmd_status ;;
  env) shift; cmd_env "$@" ;;
  -h | --help | help) usage ;;
  *)
    usage
    exit 64
    ;;
esac
