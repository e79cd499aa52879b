#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace tgscribe {

std::string trim(std::string_view s);
// A base URL without its trailing slashes ("https://x/v1//" -> "https://x/v1"), so paths can
// be appended with one "/".
std::string without_trailing_slashes(std::string_view url);
std::string to_lower(std::string_view s);
// Splits on `sep`, trims each part and drops empty parts ("a, b,,c" -> {a,b,c}).
std::vector<std::string> split_list(std::string_view s, char sep = ',');
bool starts_with_icase(std::string_view s, std::string_view prefix);
// File name without directory and extension ("/x/meeting.ogg" -> "meeting").
std::string file_stem(std::string_view path);
// Lower-case extension without the dot ("a/b.OGA" -> "oga"), empty if none.
std::string file_extension(std::string_view path);

}  // namespace tgscribe
