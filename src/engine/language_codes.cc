#include "engine/language_codes.h"

#include <string>
#include <unordered_map>

#include "common/strings.h"

namespace tgscribe::engine {
namespace {

// Whisper's LANGUAGES table (tokenizer.py), name -> code, plus its aliases.
const std::unordered_map<std::string, std::string>& names() {
  static const std::unordered_map<std::string, std::string> table = {
      {"english", "en"},
      {"chinese", "zh"},
      {"german", "de"},
      {"spanish", "es"},
      {"russian", "ru"},
      {"korean", "ko"},
      {"french", "fr"},
      {"japanese", "ja"},
      {"portuguese", "pt"},
      {"turkish", "tr"},
      {"polish", "pl"},
      {"catalan", "ca"},
      {"dutch", "nl"},
      {"arabic", "ar"},
      {"swedish", "sv"},
      {"italian", "it"},
      {"indonesian", "id"},
      {"hindi", "hi"},
      {"finnish", "fi"},
      {"vietnamese", "vi"},
      {"hebrew", "he"},
      {"ukrainian", "uk"},
      {"greek", "el"},
      {"malay", "ms"},
      {"czech", "cs"},
      {"romanian", "ro"},
      {"danish", "da"},
      {"hungarian", "hu"},
      {"tamil", "ta"},
      {"norwegian", "no"},
      {"thai", "th"},
      {"urdu", "ur"},
      {"croatian", "hr"},
      {"bulgarian", "bg"},
      {"lithuanian", "lt"},
      {"latin", "la"},
      {"maori", "mi"},
      {"malayalam", "ml"},
      {"welsh", "cy"},
      {"slovak", "sk"},
      {"telugu", "te"},
      {"persian", "fa"},
      {"latvian", "lv"},
      {"bengali", "bn"},
      {"serbian", "sr"},
      {"azerbaijani", "az"},
      {"slovenian", "sl"},
      {"kannada", "kn"},
      {"estonian", "et"},
      {"macedonian", "mk"},
      {"breton", "br"},
      {"basque", "eu"},
      {"icelandic", "is"},
      {"armenian", "hy"},
      {"nepali", "ne"},
      {"mongolian", "mn"},
      {"bosnian", "bs"},
      {"kazakh", "kk"},
      {"albanian", "sq"},
      {"swahili", "sw"},
      {"galician", "gl"},
      {"marathi", "mr"},
      {"punjabi", "pa"},
      {"sinhala", "si"},
      {"khmer", "km"},
      {"shona", "sn"},
      {"yoruba", "yo"},
      {"somali", "so"},
      {"afrikaans", "af"},
      {"occitan", "oc"},
      {"georgian", "ka"},
      {"belarusian", "be"},
      {"tajik", "tg"},
      {"sindhi", "sd"},
      {"gujarati", "gu"},
      {"amharic", "am"},
      {"yiddish", "yi"},
      {"lao", "lo"},
      {"uzbek", "uz"},
      {"faroese", "fo"},
      {"haitian creole", "ht"},
      {"pashto", "ps"},
      {"turkmen", "tk"},
      {"nynorsk", "nn"},
      {"maltese", "mt"},
      {"sanskrit", "sa"},
      {"luxembourgish", "lb"},
      {"myanmar", "my"},
      {"tibetan", "bo"},
      {"tagalog", "tl"},
      {"malagasy", "mg"},
      {"assamese", "as"},
      {"tatar", "tt"},
      {"hawaiian", "haw"},
      {"lingala", "ln"},
      {"hausa", "ha"},
      {"bashkir", "ba"},
      {"javanese", "jv"},
      {"sundanese", "su"},
      {"cantonese", "yue"},
      // Aliases Whisper accepts.
      {"burmese", "my"},
      {"valencian", "ca"},
      {"flemish", "nl"},
      {"haitian", "ht"},
      {"letzeburgesch", "lb"},
      {"pushto", "ps"},
      {"panjabi", "pa"},
      {"moldavian", "ro"},
      {"moldovan", "ro"},
      {"sinhalese", "si"},
      {"castilian", "es"},
      {"mandarin", "zh"},
      {"filipino", "tl"},
  };
  return table;
}

}  // namespace

std::string to_iso639_1(std::string_view language) {
  std::string l = to_lower(trim(language));
  if (l.empty()) return "";
  if (auto it = names().find(l); it != names().end()) return it->second;
  // Already a code, possibly with a region ("en-US", "pt_BR"): keep the primary subtag.
  auto cut = l.find_first_of("-_");
  std::string primary = l.substr(0, cut);
  if (primary.size() >= 2 && primary.size() <= 3 &&
      primary.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos) {
    return primary;
  }
  return "";
}

std::string language_name(std::string_view code) {
  static const std::unordered_map<std::string, std::string> by_code = [] {
    // Whisper's aliases name the same codes; the main names win.
    static const char* const kAliases[] = {
        "burmese",   "valencian", "flemish",   "haitian",   "letzeburgesch", "pushto",  "panjabi",
        "moldavian", "moldovan",  "sinhalese", "castilian", "mandarin",      "filipino"};
    std::unordered_map<std::string, std::string> out;
    for (const auto& [name, c] : names()) {
      bool alias = false;
      for (const char* a : kAliases) alias = alias || name == a;
      if (!alias) out[c] = name;
    }
    return out;
  }();
  std::string c = to_iso639_1(code);
  auto it = by_code.find(c);
  if (it == by_code.end()) return "";
  std::string name = it->second;
  name[0] = static_cast<char>(name[0] - 'a' + 'A');
  return name;
}

}  // namespace tgscribe::engine
