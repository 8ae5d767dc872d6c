# Helpers shared by scripts/ceph-dev.sh and scripts/openstack-dev.sh. The sourcing script sets
# DEV_NAME (the prefix of its messages) first.

T0=$EPOCHREALTIME

log() { printf '%s: %s\n' "$DEV_NAME" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$DEV_NAME" "$*" >&2; exit 1; }
elapsed() { # seconds since $1 (an EPOCHREALTIME), one decimal
  local a=${1/[.,]/} b=${EPOCHREALTIME/[.,]/}
  local ms=$(( (b - a) / 1000 ))
  printf '%d.%d' $((ms / 1000)) $(((ms % 1000) / 100))
}

# Prints the sourcing script's header comment (its usage).
usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
}

pkg_installed() {
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]
}
