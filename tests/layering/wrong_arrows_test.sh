#!/usr/bin/env bash
# Proves that scripts/check-layering can fail: on copies of the tree, each with one wrong
# arrow planted (an include, a product file using test helpers, a CMake DEPS line, a README,
# the table itself), the check must exit 1 and name the problem; the unchanged copy must pass.
# Usage: wrong_arrows_test.sh SOURCE_DIR
set -euo pipefail
src="$(cd "${1:?usage: wrong_arrows_test.sh SOURCE_DIR}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

base="$work/base"
mkdir -p "$base/docs" "$base/tests"
cp -a "$src/src" "$base/"
cp "$src/docs/architecture.md" "$base/docs/"
cp "$src/CMakeLists.txt" "$base/"
cp -a "$src/tests/support" "$base/tests/"
check="$src/scripts/check-layering"

failures=0
if ! out="$(bash "$check" --root "$base" 2>&1)"; then
  echo "FAIL: the unchanged copy does not pass, so the cases below prove nothing:"
  echo "$out"
  exit 1
fi
echo "ok: unchanged copy passes"

# case NAME EXPECTED_TEXT COMMAND...: COMMAND plants the mistake in a fresh copy ($tree).
case_() {
  local name="$1" expected="$2"
  shift 2
  tree="$work/$name"
  cp -a "$base" "$tree"
  (cd "$tree" && eval "$*")
  local rc=0
  out="$(bash "$check" --root "$tree" 2>&1)" || rc=$?
  if [ "$rc" != 1 ]; then
    echo "FAIL $name: exit $rc, expected 1"
    failures=$((failures + 1))
  elif ! grep -qF -- "$expected" <<<"$out"; then
    echo "FAIL $name: the output does not say \"$expected\":"
    echo "$out"
    failures=$((failures + 1))
  else
    echo "ok $name: $(grep -F -- "$expected" <<<"$out" | head -1)"
  fi
  rm -rf "$tree"
}

# A pure module reaching up into the Telegram client.
first_h="$(cd "$base" && ls src/transcript/*.h | head -1)"
case_ include_up "transcript -> telegram" \
  "printf '#include \"telegram/bot_api.h\"\n' >>$first_h"
# The arrow the issue found: the job runner knowing the media module.
case_ include_sideways "jobs -> media" \
  "printf '#include \"media/media_error.h\"\n' >>src/jobs/job_runner.cc"
# Product code must not include test helpers, not even its own module's.
case_ product_uses_testing "a test helper in product code" \
  "printf '#include \"engine/testing/fake_openai.h\"\n' >>src/engine/engine_factory.cc"
case_ product_uses_support "test support in product code" \
  "printf '#include \"support/test_util.h\"\n' >>src/store/store_factory.cc"
# CMake and the table drifting apart.
case_ cmake_drift "tgscribe_module(telegram DEPS)" \
  "sed -i '/^tgscribe_module(telegram /s/ tgscribe_http//' CMakeLists.txt"
# A README saying something else than the table.
case_ readme_drift "src/bot/README.md" \
  "sed -i 's/^May use: /May use: \`media\`, /' src/bot/README.md"
# An arrow pointing down the table (a cycle in the making).
case_ table_cycle "common -> app: may use only modules in rows above it" \
  "sed -i 's/^\(| \`common\` |.*| \)— |$/\1\`app\` |/' docs/architecture.md"

if [ "$failures" != 0 ]; then
  echo "$failures case(s) not caught"
  exit 1
fi
echo "every planted mistake was caught"
