#!/usr/bin/env bash
# make_seeds.sh TARGET DIR: writes the seed inputs of one fuzz target (update, media, webhook,
# writers, splitter) into DIR. Media is rendered with ffmpeg/espeak-ng when they are installed;
# updates are the checked-in real payloads (fuzz/seeds/update/) plus the test data's.
set -euo pipefail
target="$1"
out="$2"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
mkdir -p "$out"

update_seeds() {  # real updates, one per file
  cp "$here"/seeds/update/*.json "$1"/
  if [ -d "$root/tests/data" ]; then
    find "$root/tests/data" -name '*.json' -size -16k -print0 |
      while IFS= read -r -d '' f; do cp "$f" "$1/data-$(basename "$f")"; done
  fi
}

case "$target" in
  update)
    update_seeds "$out"
    printf '{"update_id":1}' >"$out/minimal"
    printf '{"update_id":2,"message":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"},"text":"/start@bot x","entities":[{"type":"bot_command","offset":0,"length":10}]}}' >"$out/command"
    ;;
  webhook)
    # First byte picks the mode: 0 raw bytes, 1 authenticated request with this body,
    # 2 header lines, NUL, body.
    tmp=$(mktemp -d)
    update_seeds "$tmp"
    i=0
    for f in "$tmp"/*.json; do
      { printf '\x01'; cat "$f"; } >"$out/body-$i"
      i=$((i + 1))
    done
    body='{"update_id":7,"message":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"},"text":"hi"}}'
    printf '\x00POST /tg/hook HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: fuzz_Secret-1\r\nContent-Length: %d\r\n\r\n%s' \
      "${#body}" "$body" >"$out/raw-ok"
    printf '\x00POST /tg/hook HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: fuzz_Secret-1\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n' \
      "${#body}" "$body" >"$out/raw-chunked"
    printf '\x00GET /tg/hook HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}' >"$out/raw-pipelined"
    printf '\x00POST /tg/hook HTTP/1.1\r\nX-Telegram-Bot-Api-Secret-Token: wrong\r\nExpect: 100-continue\r\nContent-Length: 99999999\r\n\r\n' >"$out/raw-expect"
    printf '\x02Content-Encoding: gzip\r\nX-Extra: a\0%s' "$body" >"$out/headers-gzip"
    printf '\x02Transfer-Encoding: chunked\0%s' "$body" >"$out/headers-te"
    rm -rf "$tmp"
    ;;
  media)
    if ! command -v ffmpeg >/dev/null 2>&1; then
      echo "make_seeds: no ffmpeg, media seeds are a few bytes only" >&2
      printf 'OggS' >"$out/oggs"
      printf 'RIFF\x24\x00\x00\x00WAVEfmt ' >"$out/riff"
      exit 0
    fi
    ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
    tone=(-f lavfi -i "sine=frequency=440:sample_rate=16000:duration=0.4")
    ff "${tone[@]}" -ac 1 -c:a libopus -b:a 8k "$out/tone.ogg"
    ff "${tone[@]}" -ac 1 -c:a pcm_s16le -ar 8000 "$out/tone.wav"
    ff "${tone[@]}" -ac 1 -c:a libmp3lame -b:a 8k "$out/tone.mp3"
    ff "${tone[@]}" -ac 1 -c:a aac -b:a 12k "$out/tone.m4a"
    ff "${tone[@]}" -ac 1 -c:a flac "$out/tone.flac"
    ff "${tone[@]}" -ac 1 -c:a libopus -b:a 8k "$out/tone.webm"
    ff "${tone[@]}" -f lavfi -i "color=c=black:s=32x32:d=0.4:r=5" -shortest \
      -c:v mpeg4 -c:a aac -b:a 12k "$out/clip.mp4" || true
    if command -v espeak-ng >/dev/null 2>&1; then
      espeak-ng -w "$out/speech-22k.wav" "hi" 2>/dev/null &&
        ff -i "$out/speech-22k.wav" -ar 8000 -ac 1 -c:a libopus -b:a 6k "$out/speech.ogg" &&
        rm -f "$out/speech-22k.wav" || true
    fi
    ;;
  writers)
    printf 'en 6\n0 2.5 Hello there, this is a test.\n~0 0.5 Hello\n~0.5 1 there,\n~1 1.5 this\n~1.5 2 is\n~2 2 a\n~2 2.5 test.\n2.5 6 Second segment with no words.\n' >"$out/words"
    printf 'ru 3\n0 1 Привет, мир!\n1 3 Как дела? 😀 <b>&amp;</b> --> x\n' >"$out/unicode"
    printf 'ja 0\n0 0 今日は。\n5 2 逆さま\nnan inf 数\n-3 1e300 長い\n' >"$out/messy-times"
    printf 'en 100\n0 40 %s\n50 90 x\n' "$(printf 'word %.0s' $(seq 1 60))" >"$out/long"
    printf 'de 4\n0 4 one\n~0 1 one\n~3 2 two\n~1 9 three\n' >"$out/words-mismatch"
    ;;
  splitter)
    # Two bytes of limit, then the text.
    printf '\x00\x50%s\n\nSecond paragraph. It has sentences! Really?\nAnd a line.' \
      "$(printf 'First paragraph with words. %.0s' $(seq 1 8))" >"$out/paragraphs"
    printf '\x00\x10👍🏽 👨‍👩‍👧 🇩🇪🇫🇷 é e\xcc\x81 \xe2\x80\xa8 「こんにちは。」世界。' >"$out/graphemes"
    printf '\x80\x00%s' "$(printf 'Long text goes on. %.0s' $(seq 1 300))" >"$out/telegram-limit"
    printf '\x00\x05ab\xff\xfe\xc0\x80cd\xed\xa0\x80  \t\n\n  x' >"$out/invalid-utf8"
    ;;
  *)
    echo "make_seeds: unknown target $target" >&2
    exit 2
    ;;
esac
