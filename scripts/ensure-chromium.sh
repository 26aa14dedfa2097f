#!/usr/bin/env bash
# Make sure headless Chromium and its WebDriver (chromedriver) are installed, for the console's
# browser test. Debian packages `chromium` and `chromium-driver`; skips when both are present.
set -euo pipefail
have() { command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; }
if have; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium and chromedriver are missing and this is not a Debian system: install Chromium and its matching chromedriver, or set COPYDESK_CHROMEDRIVER" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing chromium and chromium-driver (Debian packages)..."
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y --no-install-recommends chromium chromium-driver >/dev/null 2>&1; then
  $sudo apt-get update -qq
  $sudo apt-get install -y --no-install-recommends chromium chromium-driver
fi
have || { echo "chromium or chromedriver still missing after apt-get" >&2; exit 1; }
echo "chromium $(chromium --version 2>/dev/null | awk '{print $2}') installed"
