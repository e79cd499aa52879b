#pragma once
// User-supplied names (a document's file_name from Telegram) on their way to the filesystem and
// back to Telegram as a document name. Such a name may be 10 KB long, hold path separators,
// "..", control characters, bidi overrides that disguise an extension, or invalid UTF-8; what
// comes out is one harmless path component, valid UTF-8, at most a given number of BYTES (file
// systems count bytes: 255 per component) and never cut inside a character.
#include <cstddef>
#include <string>
#include <string_view>

namespace tgscribe {

// Bytes kept of a name's stem; with an extension it stays far below the 255-byte limit.
constexpr size_t kSafeStemBytes = 120;
// Extensions longer than this, or not plain ASCII letters and digits, are dropped.
constexpr size_t kSafeExtensionBytes = 16;

// The cleaned text of one name part: the last path component ('/' and '\' both separate),
// without invalid UTF-8, control characters (C0, DEL, C1) or bidi/zero-width format controls,
// without leading dots and surrounding spaces, cut to at most `max_bytes` on a character
// boundary. May be empty.
std::string safe_name_part(std::string_view name, size_t max_bytes = kSafeStemBytes);

// A whole file name: safe stem (at most kSafeStemBytes) plus its extension when that is short
// and plain ("report.final.OGG" -> "report.final.OGG"). `fallback` when nothing is left.
std::string safe_file_name(std::string_view name, std::string_view fallback = "file");

// Cuts `text` to at most `max_bytes`, never inside a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, size_t max_bytes);

}  // namespace tgscribe
