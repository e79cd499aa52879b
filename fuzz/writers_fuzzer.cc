// The writers on arbitrary transcripts: whatever times and bytes an engine returns, every
// format comes out as valid UTF-8, srt/vtt cues are well formed and in order (non-overlapping,
// end after start), and json parses.
//
// Input, one item a line (a text format, so sample transcripts make readable seeds):
//   LANGUAGE DURATION            first line
//   START END TEXT...            a segment
//   ~START END WORD              a word of the segment above
// Numbers go through strtod, so "nan", "inf", "-1e300" and hex floats all reach the writers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "transcript/cues.h"
#include "transcript/writers.h"

using namespace tgscribe::transcript;

namespace {

// Parses a number at the front of `s` and drops it and one following space.
double take_number(std::string_view& s) {
  std::string copy(s.substr(0, 64));
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  size_t used = static_cast<size_t>(end - copy.c_str());
  s.remove_prefix(used);
  if (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return v;
}

Transcript parse(std::string_view in) {
  Transcript t;
  t.engine = "fuzz";
  bool first = true;
  while (!in.empty()) {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
    if (first) {
      first = false;
      size_t sp = line.find(' ');
      t.language = std::string(line.substr(0, sp));
      if (sp != std::string_view::npos) {
        line.remove_prefix(sp + 1);
        t.duration = take_number(line);
      }
      continue;
    }
    bool is_word = !line.empty() && line.front() == '~';
    if (is_word) line.remove_prefix(1);
    double start = take_number(line);
    double end = take_number(line);
    if (is_word && !t.segments.empty()) {
      t.segments.back().words.push_back({start, end, std::string(line)});
    } else {
      Segment s;
      s.start = start;
      s.end = end;
      s.text = std::string(line);
      t.segments.push_back(std::move(s));
    }
  }
  return t;
}

// "HH:MM:SS<sep>mmm" (hours may have more digits) -> ms, or -1.
int64_t parse_timestamp(std::string_view s, char sep) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon < 2 || s.size() != colon + 10) return -1;
  if (s[colon + 3] != ':' || s[colon + 6] != sep) return -1;
  int64_t h = 0;
  for (size_t i = 0; i < colon; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    h = h * 10 + (s[i] - '0');
  }
  auto two = [&](size_t at) { return (s[at] - '0') * 10 + (s[at + 1] - '0'); };
  int m = two(colon + 1), sec = two(colon + 4);
  int ms = (s[colon + 7] - '0') * 100 + two(colon + 8);
  if (m > 59 || sec > 59) return -1;
  return ((h * 60 + m) * 60 + sec) * 1000 + ms;
}

// Checks the cue structure of srt (sep ',') or vtt (sep '.', after the WEBVTT header).
void check_cues(std::string_view out, char sep) {
  bool srt = sep == ',';
  if (!srt) {
    FUZZ_CHECK(out.substr(0, 7) == "WEBVTT\n", "vtt header");
    out.remove_prefix(7);
  }
  int64_t prev_end = 0;
  size_t index = 0;
  while (!out.empty()) {
    if (!srt) {
      FUZZ_CHECK(out.front() == '\n', "vtt cues are separated by a blank line");
      out.remove_prefix(1);
    }
    size_t block_end = out.find("\n\n");
    std::string_view block = out.substr(0, block_end);
    if (srt) {
      FUZZ_CHECK(block_end != std::string_view::npos, "srt block ends with a blank line");
      size_t nl = block.find('\n');
      FUZZ_CHECK(block.substr(0, nl) == std::to_string(++index), "srt index counts from 1");
      block.remove_prefix(nl + 1);
      out.remove_prefix(block_end + 2);
    } else {
      out.remove_prefix(block_end == std::string_view::npos ? out.size() : block_end + 1);
    }
    size_t nl = block.find('\n');
    FUZZ_CHECK(nl != std::string_view::npos, "a cue has a timing line and text");
    std::string_view timing = block.substr(0, nl);
    std::string_view text = block.substr(nl + 1);
    size_t arrow = timing.find(" --> ");
    FUZZ_CHECK(arrow != std::string_view::npos, "timing line has an arrow");
    int64_t start = parse_timestamp(timing.substr(0, arrow), sep);
    int64_t end = parse_timestamp(timing.substr(arrow + 5), sep);
    FUZZ_CHECK(start >= 0 && end >= 0, "timestamps are well formed");
    FUZZ_CHECK(end > start, "a cue ends after it starts");
    FUZZ_CHECK(start >= prev_end, "cues are in order and do not overlap");
    prev_end = end;
    FUZZ_CHECK(!text.empty() && text.find("-->") == std::string_view::npos,
               "cue text is present and cannot pass for a timing line");
  }
}

void check_make_cues(const Transcript& t, const CueLimits& limits) {
  int64_t prev_end = 0;
  for (const Cue& c : make_cues(t, limits)) {
    FUZZ_CHECK(c.start_ms >= prev_end && c.end_ms > c.start_ms, "cue times");
    prev_end = c.end_ms;
    FUZZ_CHECK(fuzz::valid_utf8(c.text), "cue text is valid UTF-8");
    FUZZ_CHECK(c.text.find('\n') == c.text.rfind('\n'), "at most two lines");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Transcript t = parse(std::string_view(reinterpret_cast<const char*>(data), size));

  std::string txt = to_txt(t);
  FUZZ_CHECK(fuzz::valid_utf8(txt), "txt is valid UTF-8");
  FUZZ_CHECK(txt.empty() || txt.back() == '\n', "txt ends with a newline");

  std::string srt = to_srt(t);
  FUZZ_CHECK(fuzz::valid_utf8(srt), "srt is valid UTF-8");
  check_cues(srt, ',');

  std::string vtt = to_vtt(t);
  FUZZ_CHECK(fuzz::valid_utf8(vtt), "vtt is valid UTF-8");
  check_cues(vtt, '.');

  std::string json = to_json_output(t, t.language);  // any bytes as a file name, too
  FUZZ_CHECK(fuzz::valid_utf8(json), "json is valid UTF-8");
  FUZZ_CHECK(nlohmann::json::accept(json), "json parses");

  check_make_cues(t, {});
  check_make_cues(t, {0.5, 3, 1});  // tiny limits: many cuts per segment
  return 0;
}
