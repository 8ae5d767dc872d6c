# Shared by the launchers in bin/ (sourced, not run): a JDK check and "is this build output stale".

# require_java NAME: stop with the install command when there is no java on the PATH.
require_java() {
  if ! command -v java >/dev/null 2>&1; then
    echo "$1: no java on the PATH: install a JDK 17 (apt-get install openjdk-17-jdk-headless)" >&2
    exit 1
  fi
}

# stale OUTPUT INPUT...: true when OUTPUT is missing or older than any file under the INPUTs.
stale() {
  local output=$1
  shift
  [ ! -f "$output" ] || [ -n "$(find "$@" -newer "$output" -print -quit)" ]
}
