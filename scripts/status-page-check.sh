#!/usr/bin/env bash
# Runs the status page's browser test (StatusPageTest, tag "browser"): real syncs on the local
# Ceph, the page opened in Debian's headless Chromium, checked, and a screenshot saved as
# target/status-page/status.png (with the page's DOM, status.html).
#   1. Chromium (Debian's package, with fonts) is installed when missing (as root).
#   2. The local Ceph is started (scripts/ceph-dev.sh); the test makes its own it-ops-page-* images.
#   3. ./mvnw -Pbrowser test runs the tests tagged "browser" only.
# Exit status: 0 checked, 1 failed, 77 skipped (no Chromium to be had; the reason is printed).
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHECK_NAME=status-page-check
. "$home/scripts/lib/check-common.sh"

ensure_package chromium chromium fonts-liberation
bash "$home/scripts/ceph-dev.sh" start >/dev/null
cd "$home"
rm -f target/status-page/status.png
./mvnw -B ${STATUS_PAGE_MAVEN_OPTS:-} -Pbrowser test || die "StatusPageTest failed (target/surefire-reports/)"
[ -s target/status-page/status.png ] || die "the test left no target/status-page/status.png"
say "the status page showed the volumes, a running sync's progress bar and the points:" \
  "target/status-page/status.png ($(stat -c %s target/status-page/status.png) bytes), $(took)"
