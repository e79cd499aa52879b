#pragma once
// The arguments of /formats, /timestamps and /speakers, parsed apart from the handlers so the
// rules (names, separators, case) are tested on their own.
#include <string>
#include <string_view>
#include <vector>

namespace tgscribe::bot {

struct FormatsArg {
  enum class Kind { kShow, kSet, kNone, kDefault, kInvalid };
  Kind kind = Kind::kShow;
  std::vector<std::string> formats;  // kSet: canonical names, in the order given, no repeats
  std::string bad;                   // kInvalid: the first name that is not a format
};

// "" -> show; "none" -> message only; "default" -> OUTPUT_FORMATS again; else a list of
// txt/srt/vtt/json separated by commas and/or spaces ("TXT, srt"), case-insensitive.
FormatsArg parse_formats_arg(std::string_view args);

struct SwitchArg {
  enum class Kind { kShow, kOn, kOff, kInvalid };
  Kind kind = Kind::kShow;
};

// "" -> show; "on" / "off" (case-insensitive); anything else is invalid.
SwitchArg parse_switch_arg(std::string_view args);

}  // namespace tgscribe::bot
