#pragma once
// Whisper servers answer `language` with an English name ("english", "indonesian"); Deepgram
// and the rest of tgscribe speak ISO 639-1 ("en", "id").
#include <string>
#include <string_view>

namespace tgscribe::engine {

// "english" / "English" / "en" / "en-US" -> "en"; unknown -> "" (never guesses).
std::string to_iso639_1(std::string_view language);

// "id" -> "Indonesian", "en-US" -> "English" (Whisper's name, capitalised), for prompts that
// name a language; unknown -> "".
std::string language_name(std::string_view code);

}  // namespace tgscribe::engine
