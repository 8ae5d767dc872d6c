#!/usr/bin/env bash
# Installs what Blockferry's build and tests need on a fresh Debian/Ubuntu machine: a JDK 17, and
# python3 and openssl for the HCS/Dorado simulator (scripts/hcs-sim.sh), nbdkit with its python
# plugin (the NBD exports of recovery points, blockferry mount) and libnbd-bin (nbdinfo and nbdcopy,
# the clients the export tests read with; nbdfuse for file-level restore) and the tools of file-level
# restore and its tests (below). Only what is missing.
# Ceph's packages are installed by scripts/ceph-dev.sh when it first starts the local cluster;
# Maven comes through ./mvnw from Maven Central.
set -euo pipefail
missing=()
if ! { command -v javac >/dev/null 2>&1 && javac -version 2>&1 | grep -qE 'javac (1[7-9]|[2-9][0-9])'; }; then
  missing+=(openjdk-17-jdk-headless ca-certificates)
fi
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v nbdkit >/dev/null 2>&1 || missing+=(nbdkit)
# the python plugin is a package of its own; nbdkit's cow filter comes with nbdkit
nbdkit python --version >/dev/null 2>&1 || missing+=(nbdkit-plugin-python)
{ command -v nbdinfo >/dev/null 2>&1 && command -v nbdcopy >/dev/null 2>&1 && command -v nbdfuse >/dev/null 2>&1; } \
  || missing+=(libnbd-bin)
# file-level restore (blockferry files/fetch): nbdfuse presents a point as a file (FUSE), util-linux's
# partx, losetup and blkid find and attach its partitions, the kernel mounts them read-only; ntfs-3g
# for NTFS. The tests make their disks with sgdisk (gdisk), mkfs.ext4 (e2fsprogs) and mkfs.xfs (xfsprogs).
export PATH="$PATH:/usr/sbin:/sbin"
{ command -v partx >/dev/null 2>&1 && command -v blkid >/dev/null 2>&1; } || missing+=(util-linux)
command -v losetup >/dev/null 2>&1 || missing+=(mount)
command -v ntfs-3g >/dev/null 2>&1 || missing+=(ntfs-3g)
command -v sgdisk >/dev/null 2>&1 || missing+=(gdisk)
command -v mkfs.ext4 >/dev/null 2>&1 || missing+=(e2fsprogs)
command -v mkfs.xfs >/dev/null 2>&1 || missing+=(xfsprogs)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-prerequisites: missing ${missing[*]}; as root run: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
