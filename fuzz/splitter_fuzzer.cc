// split_message on arbitrary bytes and limits, checked against its contract: every part fits
// (UTF-16 units), is valid UTF-8 and not blank, and the parts are the (sanitised) text in
// order with only whitespace dropped between them and at the ends.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/utf8.h"
#include "fuzz_check.h"
#include "transcript/message_splitter.h"

using namespace tgscribe::transcript;

namespace {

size_t utf16_units(std::string_view s) {
  size_t units = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++units;  // one per code point...
    if ((c & 0xF8) == 0xF0) ++units;  // ...two for a four-byte one (a surrogate pair)
  }
  return units;
}

// Skips whitespace (as the splitter defines it) in `text` from byte `pos`.
size_t skip_space(const std::string& text, size_t pos) {
  while (pos < text.size()) {
    size_t next = pos;
    char32_t cp = tgscribe::utf8::decode(text, next);
    if (!tgscribe::utf8::is_space(cp)) break;
    pos = next;
  }
  return pos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // The first two bytes pick the limit: small limits force every kind of cut on short inputs.
  size_t limit = (static_cast<size_t>(data[0]) << 8 | data[1]) % 300;
  if (data[0] & 0x80) limit = kTelegramMessageLimit;
  std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);

  std::vector<std::string> parts = split_message(text, limit);
  const size_t effective = limit < 2 ? 2 : limit;
  const std::string clean = tgscribe::utf8::sanitize(text);
  size_t pos = 0;
  for (const std::string& part : parts) {
    FUZZ_CHECK(fuzz::valid_utf8(part), "part is valid UTF-8");
    FUZZ_CHECK(utf16_units(part) <= effective, "part fits the limit in UTF-16 units");
    FUZZ_CHECK(!part.empty() && skip_space(part, 0) < part.size(), "part is not blank");
    pos = skip_space(clean, pos);
    FUZZ_CHECK(clean.compare(pos, part.size(), part) == 0,
               "parts are the text in order, only whitespace dropped at the cuts");
    pos += part.size();
  }
  FUZZ_CHECK(skip_space(clean, pos) == clean.size(), "nothing but whitespace left over");
  return 0;
}
