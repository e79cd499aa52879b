#include "transcript/writers.h"

#include <cstdio>

#include "common/strings.h"
#include "transcript/json_format.h"
#include "transcript/timing.h"

namespace tgscribe::transcript {
namespace {

// A pause this long reads as a new paragraph.
constexpr double kParagraphGapS = 2.0;
// Past this many bytes a paragraph ends at the next sentence end, so a long monologue does
// not become one wall of text.
constexpr size_t kParagraphSoftBytes = 600;

bool ends_sentence(const std::string& text) {
  if (text.empty()) return false;
  std::string_view tail = text;
  while (!tail.empty() && (tail.back() == '"' || tail.back() == '\'' || tail.back() == ')'))
    tail.remove_suffix(1);
  if (tail.empty()) return false;
  char c = tail.back();
  if (c == '.' || c == '!' || c == '?') return true;
  // The multi-byte sentence ends: "…" "。" "！" "？"
  for (std::string_view end : {"\xE2\x80\xA6", "\xE3\x80\x82", "\xEF\xBC\x81", "\xEF\xBC\x9F"})
    if (tail.size() >= end.size() && tail.substr(tail.size() - end.size()) == end) return true;
  return false;
}

std::string escape_vtt(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// SRT has no escapes; the only text that breaks its structure is a blank line (already
// impossible after clean_text) and an arrow that parsers take for a timing line. A run of
// dashes before '>' becomes one dash: removing a single "--" from "---->" would leave "-->".
std::string escape_srt(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '>')
      while (out.size() >= 2 && out.ends_with("--")) out.pop_back();
    out.push_back(c);
  }
  return out;
}

// "Speaker 2": the reader's word for a speaker, and the number as Deepgram's + 1.
std::string speaker_name(const TextOptions& options, int speaker) {
  std::string label = clean_text(options.speaker_label);
  return (label.empty() ? std::string("Speaker") : label) + " " + std::to_string(speaker);
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  std::string n = to_lower(trim(name));
  if (n == "txt") return Format::kTxt;
  if (n == "srt") return Format::kSrt;
  if (n == "vtt") return Format::kVtt;
  if (n == "json") return Format::kJson;
  return std::nullopt;
}

const char* format_name(Format f) {
  switch (f) {
    case Format::kTxt:
      return "txt";
    case Format::kSrt:
      return "srt";
    case Format::kVtt:
      return "vtt";
    case Format::kJson:
      return "json";
  }
  return "txt";
}

const char* content_type(Format f) {
  switch (f) {
    case Format::kTxt:
      return "text/plain; charset=utf-8";
    case Format::kSrt:
      return "application/x-subrip";
    case Format::kVtt:
      return "text/vtt; charset=utf-8";
    case Format::kJson:
      return "application/json";
  }
  return "text/plain; charset=utf-8";
}

std::string format_timestamp(int64_t ms, char sep) {
  if (ms < 0) ms = 0;
  long long h = ms / 3'600'000, m = ms / 60'000 % 60, s = ms / 1000 % 60, f = ms % 1000;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld%c%03lld", h, m, s, sep, f);
  return buf;
}

std::string paragraph_mark(double seconds) {
  if (!(seconds > 0)) seconds = 0;
  // Whole seconds, cut down: a mark never points past the first word of its paragraph.
  auto total = static_cast<int64_t>(seconds);
  int64_t h = total / 3600, m = total / 60 % 60, s = total % 60;
  char buf[48];
  if (h > 0) {
    std::snprintf(buf, sizeof buf, "[%lld:%02lld:%02lld]", static_cast<long long>(h),
                  static_cast<long long>(m), static_cast<long long>(s));
  } else {
    std::snprintf(buf, sizeof buf, "[%02lld:%02lld]", static_cast<long long>(m),
                  static_cast<long long>(s));
  }
  return buf;
}

std::string to_txt(const Transcript& t, const TextOptions& options) {
  Transcript n = normalized(t);
  const bool speakers = n.has_speakers();
  std::string out, para;
  double prev_end = 0;
  std::optional<int> para_speaker, shown_speaker;
  for (const auto& s : n.segments) {
    bool gap = !para.empty() && s.start - prev_end >= kParagraphGapS;
    bool long_enough = para.size() >= kParagraphSoftBytes && ends_sentence(para);
    bool new_speaker = !para.empty() && speakers && s.speaker != para_speaker;
    if (gap || long_enough || new_speaker) {
      out += para + "\n\n";
      para.clear();
    }
    if (para.empty()) {
      if (options.timestamps) para = paragraph_mark(s.start) + " ";
      // The label at each change of speaker, not again for the same speaker's next paragraph.
      if (speakers && s.speaker && s.speaker != shown_speaker) {
        para += speaker_name(options, *s.speaker) + ": ";
        shown_speaker = s.speaker;
      }
      para_speaker = s.speaker;
      para += s.text;
    } else {
      para += ' ' + s.text;
    }
    prev_end = s.end;
  }
  if (!para.empty()) out += para + "\n";
  return out;
}

std::string to_srt(const Transcript& t, const CueLimits& limits, const TextOptions& options) {
  std::string out;
  size_t index = 0;
  for (const auto& c : make_cues(t, limits)) {
    out += std::to_string(++index) + "\n";
    out += format_timestamp(c.start_ms, ',') + " --> " + format_timestamp(c.end_ms, ',') + "\n";
    // Every cue names its speaker: a subtitle is read on its own, not after the one before.
    if (c.speaker) out += escape_srt(speaker_name(options, *c.speaker)) + ": ";
    out += escape_srt(c.text) + "\n\n";
  }
  return out;
}

std::string to_vtt(const Transcript& t, const CueLimits& limits, const TextOptions& options) {
  std::string out = "WEBVTT\n";
  for (const auto& c : make_cues(t, limits)) {
    out += '\n';
    out += format_timestamp(c.start_ms, '.');
    out += " --> ";
    out += format_timestamp(c.end_ms, '.');
    out += '\n';
    // WebVTT's voice span: players show (or style) the speaker's name.
    if (c.speaker) out += "<v " + escape_vtt(speaker_name(options, *c.speaker)) + ">";
    out += escape_vtt(c.text);
    out += '\n';
  }
  return out;
}

std::string to_json_output(const Transcript& t, const std::string& file_name) {
  return to_json(normalized(t), file_name, true);
}

std::string render(Format f, const Transcript& t, const std::string& file_name,
                   const TextOptions& options) {
  switch (f) {
    case Format::kTxt:
      return to_txt(t, options);
    case Format::kSrt:
      return to_srt(t, {}, options);
    case Format::kVtt:
      return to_vtt(t, {}, options);
    case Format::kJson:
      return to_json_output(t, file_name);
  }
  return to_txt(t);
}

}  // namespace tgscribe::transcript
