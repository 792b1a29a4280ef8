#!/bin/sh
# Make sure the Debian 12 packages a target needs are installed.
# Usage: scripts/deps.sh PKG...   (installs with apt-get when root, else prints the command and fails)
set -eu
missing=""
for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ]; then
    echo "otter: installing Debian packages:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends $missing >/tmp/otter-apt.log 2>&1; then
        apt-get update >/dev/null 2>&1 || true
        apt-get install -y --no-install-recommends $missing >/tmp/otter-apt.log 2>&1 || {
            echo "otter: apt-get install failed; see /tmp/otter-apt.log" >&2; exit 1; }
    fi
else
    echo "otter: missing Debian packages. Run:" >&2
    echo "  sudo apt-get install -y$missing" >&2
    exit 1
fi
