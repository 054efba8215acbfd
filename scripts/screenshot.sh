#!/bin/sh
# Screenshot an HTML file (e.g. the `cluster --report` output) with headless Debian chromium.
#
#   scripts/screenshot.sh report.html [out.png] [WIDTHxHEIGHT]
#
# Needs `chromium` (Debian: apt-get install -y chromium). Runs with a throwaway profile and no
# network-facing background services; the report itself loads nothing from the network.
set -eu
html=${1:?usage: scripts/screenshot.sh FILE.html [OUT.png] [WIDTHxHEIGHT]}
out=${2:-${html%.html}.png}
size=${3:-1400x2400}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "error: chromium not found (Debian: apt-get install -y chromium)" >&2
    exit 2
fi
case $html in /*) abs=$html ;; *) abs=$(pwd)/$html ;; esac
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$profile" \
    --screenshot="$out" --window-size="$(echo "$size" | tr x ,)" "file://$abs" 2>/dev/null
echo "$out"
