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
# The libFuzzer targets in fuzz/ (scripts/fuzz, and the fuzz smoke run of scripts/test): clang
# and the compiler-rt archives that hold libFuzzer and the sanitizer runtimes.
TGSCRIBE_FUZZ_PACKAGES=(
  clang libclang-rt-14-dev
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

# True when clang can link a libFuzzer binary here; otherwise says why on stderr.
tgscribe_fuzz_available() {
  if ! command -v clang++ >/dev/null 2>&1; then
    echo "no clang++ (apt-get install ${TGSCRIBE_FUZZ_PACKAGES[*]})" >&2
    return 1
  fi
  local probe
  probe=$(mktemp -d)
  printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
    >"$probe/p.cc"
  if ! clang++ -fsanitize=fuzzer,address "$probe/p.cc" -o "$probe/p" >/dev/null 2>&1; then
    rm -rf "$probe"
    echo "clang++ cannot link libFuzzer (apt-get install libclang-rt-14-dev)" >&2
    return 1
  fi
  rm -rf "$probe"
}

# Configures the fuzz build (clang, ASan + UBSan, only what the fuzz targets need) in $1.
tgscribe_configure_fuzz() {
  cmake -S . -B "$1" -DCMAKE_CXX_COMPILER=clang++ -DTGSCRIBE_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON >/dev/null
}
