#!/usr/bin/env bash
# smoke-test.sh - end-to-end check of the dev OpenStack of scripts/openstack-dev.sh (which must be
# running), as the demo user with /usr/bin/openstack and a clean environment:
#   volumes of type ceph-ssd and ceph-hdd land as RBD images volume-<id> in volumes / volumes-hdd;
#   a server boots from image cirros-fake (no network, compute 2.37) and goes ACTIVE;
#   a volume made from the image is a COW clone of images/<image-id>@snap;
#   a server boots from that volume; a data volume attaches; a server tag is set (compute 2.26);
#   the servers delete and the volumes come back "available".
# Everything it creates is named bf-smoke-* and deleted at the end (also on failure).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OS_DEV=$HERE/openstack-dev.sh
CEPH_DEV=$HERE/ceph-dev.sh
read -r -a CEPH_ADMIN <<<"$("$CEPH_DEV" admin-args)"
ENV_SCRIPT=$("$OS_DEV" env)

osc() { # openstack CLI as the demo user, clean environment
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="${HOME:-/root}" LANG=C.UTF-8 \
    bash -c 'eval "$1"; shift; exec /usr/bin/openstack "$@"' osc "$ENV_SCRIPT" "$@"
}
rbd_() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin rbd "${CEPH_ADMIN[@]}" "$@"; }
rbd_has() { rbd_ ls "$1" | grep -qx -- "$2"; } # $1 pool, $2 image

PASS=0 FAIL=0
ok() { printf 'PASS  %s\n' "$*"; PASS=$((PASS + 1)); }
ko() { printf 'FAIL  %s\n' "$*"; FAIL=$((FAIL + 1)); }
check() { # $1 description, rest: command
  local d=$1
  shift
  if "$@"; then ok "$d"; else ko "$d"; fi
}

wait_status() { # $1 volume|server, $2 name/id, $3 wanted status, $4 timeout s
  local s i
  for ((i = 0; i < $4; i++)); do
    s=$(osc "$1" show "$2" -f value -c status 2>/dev/null || true)
    [[ $s == "$3" ]] && return 0
    [[ $s == error || $s == ERROR ]] && { echo "  $1 $2 is $s" >&2; return 1; }
    sleep 1
  done
  echo "  $1 $2 is '$s' after $4 s (wanted $3)" >&2
  return 1
}

cleanup() {
  local s v
  for s in bf-smoke-img bf-smoke-bfv; do
    osc server delete --wait "$s" >/dev/null 2>&1 || true
  done
  for v in bf-smoke-ssd bf-smoke-hdd bf-smoke-boot; do
    osc volume show "$v" >/dev/null 2>&1 || continue
    wait_status volume "$v" available 30 2>/dev/null || true
    osc volume delete "$v" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT
cleanup

T0=$SECONDS
# 1. volumes on both backends
SSD=$(osc volume create --size 1 --type ceph-ssd bf-smoke-ssd -f value -c id)
HDD=$(osc volume create --size 1 --type ceph-hdd bf-smoke-hdd -f value -c id)
check "volume ceph-ssd available" wait_status volume "$SSD" available 60
check "volume ceph-hdd available" wait_status volume "$HDD" available 60
check "RBD image volumes/volume-$SSD exists" rbd_has volumes "volume-$SSD"
check "RBD image volumes-hdd/volume-$HDD exists" rbd_has volumes-hdd "volume-$HDD"

# 2. server from image, no network
SRV1=$(osc --os-compute-api-version 2.37 server create --image cirros-fake --flavor bf.small \
  --nic none bf-smoke-img -f value -c id)
check "server from image ACTIVE" wait_status server "$SRV1" ACTIVE 120
if rbd_ ls vms | grep -q "^$SRV1"; then
  echo "  note: vms has images for $SRV1"
else
  echo "  note: no RBD disk in vms for $SRV1 (expected with fake.FakeDriver)"
fi

# 3. volume from image = COW clone, server from that volume
IMG=$(osc image show cirros-fake -f value -c id)
BOOT=$(osc volume create --size 1 --type ceph-ssd --image cirros-fake bf-smoke-boot -f value -c id)
check "volume from image available" wait_status volume "$BOOT" available 120
PARENT=$(rbd_ info "volumes/volume-$BOOT" | sed -n 's/^[[:space:]]*parent: //p')
check "volume-$BOOT is a clone of images/$IMG@snap (parent: ${PARENT:-none})" test "$PARENT" = "images/$IMG@snap"
SRV2=$(osc --os-compute-api-version 2.37 server create --volume "$BOOT" --flavor bf.small \
  --nic none bf-smoke-bfv -f value -c id)
check "server from volume ACTIVE" wait_status server "$SRV2" ACTIVE 120

# 4. attach a data volume, tag the server
osc server add volume "$SRV2" "$SSD" >/dev/null
check "data volume attached (in-use)" wait_status volume "$SSD" in-use 60
osc --os-compute-api-version 2.26 server set --tag bf-smoke "$SRV2"
TAGS=$(osc --os-compute-api-version 2.26 server show "$SRV2" -f value -c tags)
check "server tag set ($TAGS)" grep -q bf-smoke <<<"$TAGS"

# 5. delete the servers: volumes come back available
check "server from image deleted" osc server delete --wait "$SRV1"
check "server from volume deleted" osc server delete --wait "$SRV2"
check "boot volume available again" wait_status volume "$BOOT" available 60
check "data volume available again" wait_status volume "$SSD" available 60

echo "$PASS passed, $FAIL failed ($((SECONDS - T0)) s)"
((FAIL == 0))
