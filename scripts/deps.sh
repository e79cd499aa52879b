#!/usr/bin/env bash
# Installs the Debian packages tgscribe needs to build, test and run; sourced by scripts/run
# and scripts/test. Only missing packages are installed, so a second run costs nothing.
set -euo pipefail

TGSCRIBE_BUILD_PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libavformat-dev libavcodec-dev libswresample-dev libavutil-dev libavfilter-dev
  libcurl4-openssl-dev libssl-dev libsqlite3-dev libhiredis-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libcpp-httplib-dev
  libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us
)
TGSCRIBE_TEST_PACKAGES=(
  libgtest-dev libgmock-dev libbenchmark-dev
  pocketsphinx-testdata espeak-ng ffmpeg redis-server sqlite3 procps
)

tgscribe_install_packages() {
  local missing=()
  local p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "scripts: installing ${missing[*]}" >&2
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "scripts: missing packages (${missing[*]}) and not root, and no sudo to install them" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

tgscribe_build() {
  local type="${1:-Release}"
  local dir="${2:-build}"
  shift 2 || true
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" >/dev/null
  # Remaining arguments are targets (none: everything, tests and benchmarks included).
  local targets=()
  local t
  for t in "$@"; do targets+=(--target "$t"); done
  cmake --build "$dir" -j"$(nproc)" "${targets[@]}"
}
