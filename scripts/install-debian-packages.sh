#!/usr/bin/env bash
# The Debian packages the end-to-end tests run for real: Prometheus (with promtool) and
# Alertmanager. Idempotent, and quick when they are already there; the tests start their own
# servers on loopback, so the packages' services are kept from starting.
set -euo pipefail

PACKAGES=(prometheus prometheus-alertmanager)
COMMANDS=(prometheus promtool prometheus-alertmanager)

missing=0
for command in "${COMMANDS[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing=1
done
[ "$missing" = 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-debian-packages: no apt-get here; install ${PACKAGES[*]} by hand" \
       "(the end-to-end tests skip without them, and fail in CI)" >&2
  exit 0
fi
SUDO=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "install-debian-packages: not root; run 'sudo $0' to install ${PACKAGES[*]}" \
         "(the end-to-end tests skip without them, and fail in CI)" >&2
    exit 0
  fi
fi

# invoke-rc.d asks policy-rc.d whether a package's service may start: 101 says no. One that
# is already there (as in most containers) is left as it is.
POLICY=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"
  added_policy=1
fi
cleanup() { if [ "$added_policy" = 1 ]; then "${SUDO[@]}" rm -f "$POLICY"; fi; }
trap cleanup EXIT

apt_install() {
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
}
# The package lists may be missing or stale on a new machine: refresh them only then.
if ! apt_install; then
  "${SUDO[@]}" apt-get update -q
  apt_install
fi
