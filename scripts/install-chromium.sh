#!/usr/bin/env bash
# Debian's chromium, for the dashboard's browser tests (tests/helpers/browser.ts); a no-op when it
# is there already, or when CHROMIUM_PATH names another one.
set -euo pipefail
if [ -x /usr/bin/chromium ] || [ -n "${CHROMIUM_PATH:-}" ]; then exit 0; fi
sudo_if_needed=()
[ "$(id -u)" -eq 0 ] || sudo_if_needed=(sudo)
"${sudo_if_needed[@]}" apt-get update
"${sudo_if_needed[@]}" apt-get install -y chromium
