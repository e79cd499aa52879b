// telegram::parse_update on arbitrary bytes: it must never throw, crash or leave an update
// half-formed, whatever a webhook caller or a misbehaving Bot API sends.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "telegram/command_parser.h"
#include "telegram/types.h"

using namespace tgscribe::telegram;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  // Small limits too, so the size checks themselves are exercised near their edges.
  for (ParseLimits limits : {ParseLimits{}, ParseLimits{256, 32}}) {
    Parsed<Update> parsed;
    try {
      parsed = parse_update(body, limits);
    } catch (...) {
      FUZZ_CHECK(false, "parse_update threw");
    }
    if (!parsed) {
      FUZZ_CHECK(!parsed.error.empty(), "a failed parse says why");
      continue;
    }
    const Update& u = *parsed;
    // An update with a message-bearing kind carries its message, and no other kind does; a
    // button tap carries its callback query (the message it was under is inside it).
    const bool message_kind = u.kind != UpdateKind::kOther && u.kind != UpdateKind::kCallbackQuery;
    FUZZ_CHECK(u.message.has_value() == message_kind,
               "message present exactly for the message kinds");
    FUZZ_CHECK(u.callback_query.has_value() == (u.kind == UpdateKind::kCallbackQuery),
               "callback query present exactly for button taps");
    if (u.message) {
      const Message& m = *u.message;
      FUZZ_CHECK(m.text.size() <= limits.max_text_bytes, "text over the limit");
      // What the bot does next with a message must be as robust as the parse.
      (void)parse_command(m.text, "tgscribe_bot");
      (void)m.reply_thread_id();
      if (m.from) (void)m.from->display_name();
      if (m.reply_to_message) (void)parse_command(m.reply_to_message->text, "");
    }
  }
  return 0;
}
