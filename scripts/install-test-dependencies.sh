#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK and CPython: the real peers the adapter tests
# talk to (nats-server for wasmCloud, libnng for eKuiper), and Debian's Python with venv, pip, setuptools and wheel
# (the requirements tests build and install a wheel offline). Safe to run again.
set -euo pipefail
packages=(nats-server libnng1 libpython3.11 python3-venv python3-pip python3-setuptools python3-wheel)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi
