#!/usr/bin/env bash
# System packages the test suite drives for real: OpenSSH server, supervisord, nginx (the SSH test
# fleet) and Chromium (browser tests). Installed with apt-get only when missing and when we can.
set -euo pipefail
here=$(dirname "$0")
missing=()
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
command -v supervisord >/dev/null 2>&1 || missing+=(supervisor)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "note: missing system packages (${missing[*]}); tests that need them will be skipped" >&2
  exit 0
fi
echo "Installing system packages: ${missing[*]} ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts daemons on install where it can; the tests run their own instances.
if [ -x "$here/install-fleet-deps.sh" ]; then bash "$here/install-fleet-deps.sh"; fi
