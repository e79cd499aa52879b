#pragma once
// Output formats a user can ask for: txt (plain paragraphs), srt, vtt (subtitles) and json
// (the contract's shape, see json_format.h). All take any transcript, however messy its times
// or bytes, and produce valid, UTF-8 output.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transcript/cues.h"
#include "transcript/transcript.h"

namespace tgscribe::transcript {

enum class Format { kTxt, kSrt, kVtt, kJson };

// "txt" | "srt" | "vtt" | "json" (case-insensitive); nullopt for anything else.
std::optional<Format> parse_format(std::string_view name);
// The file extension and canonical name of a format ("srt").
const char* format_name(Format f);
// MIME type to send the file with ("text/plain; charset=utf-8", "application/x-subrip", ...).
const char* content_type(Format f);

// What a chat asked the outputs to show (the bot's /timestamps and /speakers).
struct TextOptions {
  // txt: a time mark at the start of each paragraph (paragraph_mark).
  bool timestamps = false;
  // The word before a speaker's number ("Speaker" -> "Speaker 1"), in the reader's language.
  // Speakers are shown only when the transcript's segments carry them (has_speakers()).
  std::string speaker_label = "Speaker";
};

// Paragraphs separated by a blank line. A new paragraph starts after a pause
// (kParagraphGapS), when a paragraph grows long and a sentence ends, or when the speaker
// changes; then it begins with "Speaker N: " (only at a change of speaker), after the time
// mark when options.timestamps. Ends with '\n' unless empty.
std::string to_txt(const Transcript& t, const TextOptions& options = {});
// SubRip: "1\n00:00:01,000 --> 00:00:03,500\ntext\n\n" ... Empty transcript: empty string.
// With speakers, each cue's text starts with "Speaker N: ".
std::string to_srt(const Transcript& t, const CueLimits& limits = {},
                   const TextOptions& options = {});
// WebVTT: "WEBVTT\n\n00:00:01.000 --> 00:00:03.500\ntext\n\n" ... with &, <, > escaped.
// With speakers, each cue's text starts with a voice tag: "<v Speaker N>".
std::string to_vtt(const Transcript& t, const CueLimits& limits = {},
                   const TextOptions& options = {});
// The contract's JSON, with normalised times (see timing.h); `file_name` fills "file".
std::string to_json_output(const Transcript& t, const std::string& file_name);

// One function for every format; `file_name` is only used by json, `options` by the others.
std::string render(Format f, const Transcript& t, const std::string& file_name = {},
                   const TextOptions& options = {});

// "[01:05]" for 65 s; "[1:02:03]" from an hour on. Negative or NaN times read as 0.
std::string paragraph_mark(double seconds);

// "HH:MM:SS,mmm" (sep ',') or "HH:MM:SS.mmm" (sep '.'); hours grow past two digits if needed.
std::string format_timestamp(int64_t ms, char sep);

}  // namespace tgscribe::transcript
