# Helpers of the checks that .ci/run calls after the test suite (status-page-check.sh,
# prometheus-check.sh). The sourcing script sets CHECK_NAME (the prefix of its messages) first.
# Exit status convention: 0 checked, 1 failed, 77 skipped (a package could not be had; the reason is printed).

CHECK_STARTED=$(date +%s)

say() { echo "$CHECK_NAME: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }
skip() { say "SKIPPED: $*"; exit 77; }
took() { echo "$(($(date +%s) - CHECK_STARTED)) s"; }

# ensure_package COMMAND PACKAGE...: install Debian packages for COMMAND when it is missing (as root).
ensure_package() {
  local command=$1
  shift
  command -v "$command" >/dev/null 2>&1 && return 0
  [ "$(id -u)" -eq 0 ] || skip "no $command, and not root to install it: apt-get install $*"
  command -v apt-get >/dev/null 2>&1 || skip "no $command and no apt-get to install $*"
  say "installing $* ..."
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1; then
    apt-get update -q >/dev/null 2>&1 || true
    apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1 \
      || skip "apt-get could not install $* here"
  fi
  command -v "$command" >/dev/null 2>&1 || skip "$* installed, but there is still no $command"
}

free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 30000))
    if [ -z "$(ss -Hltn "sport = :$port")" ]; then
      echo "$port"
      return 0
    fi
  done
  die "found no free port"
}

# wait_for WHAT SECONDS PID COMMAND...: retry COMMAND every second while the process PID lives.
wait_for() {
  local what=$1 seconds=$2 pid=$3
  shift 3
  local deadline=$(($(date +%s) + seconds))
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || die "$what: the process ended (log below)"
    [ "$(date +%s)" -lt "$deadline" ] || die "$what: not within $seconds s"
    sleep 1
  done
  say "$what ($(took))"
}

# stop_sessions PID...: stop each process with its session's children (a build, say), forcibly
# after 30 s.
stop_sessions() {
  local pid
  for pid in "$@"; do
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  done
  for pid in "$@"; do
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null && sleep 0.5; done
    kill -9 -- "-$pid" 2>/dev/null || true
  done
}

# remove_images ADMIN_ARGS_ARRAY_NAME IMAGE...: purge and remove throwaway RBD images.
remove_images() {
  local -n args=$1
  shift
  [ "${#args[@]}" -gt 0 ] || return 0
  local image
  for image in "$@"; do
    rbd "${args[@]}" snap purge "$image" >/dev/null 2>&1 || true
    rbd "${args[@]}" rm "$image" >/dev/null 2>&1 || true
  done
}

# keep_logs STATUS WORK OUT PATTERN...: copy WORK's files matching the patterns to OUT, print the
# logs' last lines when the check failed (not skipped), then delete WORK.
keep_logs() {
  local status=$1 work=$2 out=$3
  shift 3
  mkdir -p "$out"
  local pattern
  for pattern in "$@"; do cp "$work"/$pattern "$out/" 2>/dev/null || true; done
  if [ "$status" -ne 0 ] && [ "$status" -ne 77 ]; then
    for log in "$work"/*.log; do
      [ -f "$log" ] && { echo "---- last lines of $(basename "$log")"; tail -n 40 "$log"; } >&2
    done
  fi
  rm -rf "$work"
}
