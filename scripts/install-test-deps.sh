#!/usr/bin/env bash
# System packages the test suite drives for real: OpenSSH server, supervisord, nginx (the SSH test
# fleet) and Chromium (browser tests). Installed with apt-get only when missing and when we can.
set -euo pipefail
here=$(dirname "$0")

# Synapse, the Matrix homeserver that tests/e2e/platforms/matrix starts on loopback, lives in its own virtualenv
# (.venv-synapse/, git-ignored) so its dependency pins never touch the product's .venv. Non-interactive and
# idempotent: a stamp names the version installed, so a second run returns at once. CHATOPS_SKIP_SYNAPSE=1 skips it.
synapse_spec="matrix-synapse==1.163.2"
synapse_venv="$here/../.venv-synapse"
synapse_stamp="$synapse_venv/.installed-${synapse_spec//[^A-Za-z0-9.=-]/_}"
if [ "${CHATOPS_SKIP_SYNAPSE:-0}" != 1 ] && [ ! -f "$synapse_stamp" ]; then
  echo "Installing $synapse_spec into .venv-synapse (for the Matrix tests) ..." >&2
  if { [ -x "$synapse_venv/bin/python" ] || python3 -m venv "$synapse_venv"; } &&
     PIP_NO_INPUT=1 "$synapse_venv/bin/python" -m pip install --quiet --disable-pip-version-check \
       "$synapse_spec" </dev/null >"$synapse_venv.log" 2>&1; then
    rm -f "$synapse_venv"/.installed-*
    touch "$synapse_stamp"
  else
    echo "note: could not install $synapse_spec (see .venv-synapse.log); the Matrix tests will be skipped" >&2
  fi
fi
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
