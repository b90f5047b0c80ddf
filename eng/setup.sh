#!/usr/bin/env bash
# One-time, idempotent host set-up for ModelGate on Linux x64.
# TorchSharp 0.107's native library needs GLIBCXX_3.4.32 (libstdc++ of GCC 13+).
# Debian 12 ships 3.4.30, so there we install libstdc++6 from Debian 13 (trixie),
# pinned low so nothing else is upgraded unasked. Hosts that have it: nothing to do.
set -euo pipefail

need_symbol="GLIBCXX_3.4.32"

libstdcxx_path() {
  local p
  for p in /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib64/libstdc++.so.6 /lib/x86_64-linux-gnu/libstdc++.so.6; do
    [ -e "$p" ] && { echo "$p"; return 0; }
  done
  ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}'
}

has_symbol() {
  local lib; lib=$(libstdcxx_path)
  [ -n "$lib" ] && grep -aq "$need_symbol" "$lib"
}

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "modelgate setup: only Linux x64 is supported by this set-up script (found $(uname -s) $(uname -m))." >&2
  exit 1
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "modelgate setup: the .NET 10 SDK is required; install it from https://dot.net and re-run." >&2
  exit 1
fi

if has_symbol; then
  exit 0
fi

if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "modelgate setup: libstdc++ lacks $need_symbol (TorchSharp needs GCC 13's libstdc++6); install libstdc++6 >= 13 (e.g. 'apt-get install -t trixie libstdc++6' as root on Debian 12) and re-run." >&2
  exit 1
fi

. /etc/os-release
echo "modelgate setup: $PRETTY_NAME lacks $need_symbol; installing libstdc++6 from Debian 13 (trixie, pinned at priority 100)."
if ! grep -rqs "trixie" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian trixie main" > /etc/apt/sources.list.d/modelgate-trixie.list
fi
cat > /etc/apt/preferences.d/modelgate-trixie <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq -t trixie libstdc++6 >/dev/null

if ! has_symbol; then
  echo "modelgate setup: installed libstdc++6 from trixie but $need_symbol is still missing; install GCC 13+'s libstdc++6 by hand." >&2
  exit 1
fi
echo "modelgate setup: libstdc++ now provides $need_symbol."
