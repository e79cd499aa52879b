#include "bot/chat_choice_args.h"

#include <algorithm>

#include "common/strings.h"
#include "transcript/writers.h"

namespace tgscribe::bot {

FormatsArg parse_formats_arg(std::string_view args) {
  FormatsArg out;
  std::string a = to_lower(trim(args));
  if (a.empty()) return out;
  if (a == "none") {
    out.kind = FormatsArg::Kind::kNone;
    return out;
  }
  if (a == "default") {
    out.kind = FormatsArg::Kind::kDefault;
    return out;
  }
  // "txt,srt", "txt, srt" and "txt srt" all mean the same: users type all three.
  std::replace(a.begin(), a.end(), ',', ' ');
  for (const auto& token : split_list(a, ' ')) {
    std::string name = trim(token);
    if (name.empty()) continue;
    auto f = transcript::parse_format(name);
    if (!f) {
      out.kind = FormatsArg::Kind::kInvalid;
      out.bad = name;
      out.formats.clear();
      return out;
    }
    std::string canonical = transcript::format_name(*f);
    if (std::find(out.formats.begin(), out.formats.end(), canonical) == out.formats.end()) {
      out.formats.push_back(canonical);
    }
  }
  // Only separators (","): nothing named, which is not "none" said by accident.
  out.kind = out.formats.empty() ? FormatsArg::Kind::kInvalid : FormatsArg::Kind::kSet;
  if (out.formats.empty()) out.bad = trim(args);
  return out;
}

SwitchArg parse_switch_arg(std::string_view args) {
  std::string a = to_lower(trim(args));
  if (a.empty()) return {SwitchArg::Kind::kShow};
  if (a == "on") return {SwitchArg::Kind::kOn};
  if (a == "off") return {SwitchArg::Kind::kOff};
  return {SwitchArg::Kind::kInvalid};
}

}  // namespace tgscribe::bot
