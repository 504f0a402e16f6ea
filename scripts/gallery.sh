#!/usr/bin/env bash
# Regenerate docs/gallery/: every page (login, dashboard, servers, history, users, settings, welcome, chat, 403,
# 404) at 1440x900 and 390x844, dark and light, by the same Playwright run that checks them (axe-core, keyboard,
# layout):
# tests/browser/test_pages_quality.py with CHATOPS_GALLERY_DIR set. Needs Chromium (scripts/install-test-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/pytest ]; then
  echo "The environment is not ready: run ./run test once (or python3 -m venv .venv && .venv/bin/pip install -e '.[dev]')." >&2
  exit 1
fi
bash scripts/install-test-deps.sh
out="${1:-docs/gallery}"
mkdir -p "$out"
CHATOPS_GALLERY_DIR="$(cd "$out" && pwd)" exec .venv/bin/pytest -q -p no:cacheprovider \
  tests/browser/test_pages_quality.py -k test_every_page_is_accessible_fits_and_works_by_keyboard
