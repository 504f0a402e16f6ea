#!/bin/sh
# Install what the sshd test fleet needs (openssh-server, supervisor, nginx, sudo), only when missing.
# Idempotent and non-interactive: safe to run in CI on every build.
set -eu
export DEBIAN_FRONTEND=noninteractive
missing=""
[ -x /usr/sbin/sshd ] || missing="$missing openssh-server"
command -v ssh-keygen >/dev/null 2>&1 || missing="$missing openssh-client"
command -v supervisord >/dev/null 2>&1 || missing="$missing supervisor"
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing="$missing nginx-light"
command -v pgrep >/dev/null 2>&1 || missing="$missing procps"
command -v useradd >/dev/null 2>&1 || missing="$missing passwd"
command -v sudo >/dev/null 2>&1 || missing="$missing sudo"
if [ -z "$missing" ]; then
    echo "fleet dependencies present"
    exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
echo "installing:$missing"
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
# The packages may start system daemons we do not need; the fleet runs its own.
for svc in nginx supervisor ssh; do
    if command -v service >/dev/null 2>&1; then $SUDO service "$svc" stop >/dev/null 2>&1 || true; fi
done
mkdir -p /run/sshd 2>/dev/null || $SUDO mkdir -p /run/sshd
