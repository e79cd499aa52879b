#!/usr/bin/env bash
# Installs the Debian packages tgscribe needs to build, test and run; sourced by scripts/run
# and scripts/test. Only missing packages are installed, so a second run costs nothing.
set -euo pipefail

TGSCRIBE_BUILD_PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libavformat-dev libavcodec-dev libswresample-dev libavutil-dev libavfilter-dev libopus-dev
  libcurl4-openssl-dev libssl-dev libsqlite3-dev libhiredis-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libcpp-httplib-dev
  libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us
)
TGSCRIBE_TEST_PACKAGES=(
  libgtest-dev libgmock-dev libbenchmark-dev
  pocketsphinx-testdata espeak-ng ffmpeg redis-server sqlite3 procps
)
# scripts/format (clang-format, the style in .clang-format) and scripts/lint (clang-tidy, the
# checks in .clang-tidy); scripts/test runs both. Debian 12's are version 14.
TGSCRIBE_STYLE_PACKAGES=(
  clang-format clang-tidy
)
# The libFuzzer targets in fuzz/ (scripts/fuzz, and the fuzz smoke run of scripts/test): clang
# and the compiler-rt archives that hold libFuzzer and the sanitizer runtimes.
TGSCRIBE_FUZZ_PACKAGES=(
  clang libclang-rt-14-dev
)
# scripts/package-test: builds the .deb (CPack runs dpkg-shlibdeps from dpkg-dev) and installs
# it into a fresh Debian 12 root made by debootstrap.
TGSCRIBE_PACKAGE_PACKAGES=(
  dpkg-dev debootstrap fakeroot file
)
# scripts/container-test: its static checks of deploy/ (docker-compose 1.x validates the compose
# file without an engine; no container engine is installed: where one runs, its checks run too).
TGSCRIBE_CONTAINER_PACKAGES=(
  python3 python3-yaml docker-compose
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
  echo "scripts: installing ${#missing[@]} missing package(s) with apt-get (${missing[*]})..." >&2
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
  # apt's hundreds of lines go to a log, shown in full only when something fails.
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/tgscribe-apt.XXXXXX.log")
  local start=$SECONDS
  if ! { "${sudo[@]}" apt-get update -q && "${sudo[@]}" apt-get install -y -q \
    --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "scripts: apt-get failed (log above, also in $log)" >&2
    exit 1
  fi
  rm -f "$log"
  echo "scripts: installed ${#missing[@]} package(s) in $((SECONDS - start)) s" >&2
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
  tgscribe_cmake_build "$dir" "${targets[@]}"
}

# Reads build output: progress lines ("[ 42%] ..." from make, "[12/300] ..." from ninja) are
# shown on one line that is rewritten, anything else (warnings, errors) is printed in full.
# A shell loop rather than awk: mawk reads a pipe in blocks, so the line would lag behind.
tgscribe_progress_line() {
  local width=$1 line
  local re='^\[ *[0-9]+(%|/[0-9]+)\]'
  while IFS= read -r line; do
    if [[ $line =~ $re ]]; then
      printf '\r\033[K%s' "${line:0:width}"
    else
      printf '\r\033[K%s\n' "$line"
    fi
  done
  printf '\r\033[K'
}

# `cmake --build DIR ARGS...`, condensed on a terminal: the progress ("[ 42%] Building CXX
# object ...") stays on one line that is rewritten, while compiler warnings and errors are
# printed in full as they come. Not on a terminal (CI logs, pipes) the output is unchanged.
# The whole output is also kept in DIR/build.log.
tgscribe_cmake_build() {
  local dir=$1
  shift
  if [ ! -t 2 ]; then
    cmake --build "$dir" -j"$(nproc)" "$@"
    return
  fi
  local width
  width=$(tput cols 2>/dev/null || echo 100)
  cmake --build "$dir" -j"$(nproc)" "$@" 2>&1 | tee "$dir/build.log" |
    tgscribe_progress_line "$((width - 1))" >&2 ||
    {
      echo "scripts: build failed; its whole output is in $dir/build.log" >&2
      return 1
    }
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
