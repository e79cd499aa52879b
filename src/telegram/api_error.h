#pragma once
// A failed Bot API call, with what Telegram said about it. Derived from tgscribe::Error so the
// generic retry logic (kind / retry_after) works on it unchanged.
#include <cstdint>
#include <optional>
#include <string>

#include "common/error.h"

namespace tgscribe::telegram {

class ApiError : public Error {
 public:
  // `method` names the Bot API method; `description` is Telegram's text (never contains the
  // token: Telegram does not echo it, and the message is redacted anyway).
  ApiError(ErrorKind kind, std::string method, int error_code, std::string description,
           std::optional<std::chrono::milliseconds> retry_after = std::nullopt,
           std::optional<int64_t> migrate_to_chat_id = std::nullopt);

  const std::string& method() const { return method_; }
  int error_code() const { return error_code_; }  // HTTP-like code Telegram reports; 0 if none
  const std::string& description() const { return description_; }
  std::optional<int64_t> migrate_to_chat_id() const { return migrate_to_chat_id_; }

  // "Bad Request: file is too big" from getFile: the cloud API will not serve it (> 20 MB).
  bool is_file_too_big() const;
  // "Bad Request: message is not modified": an edit with the same text; harmless.
  bool is_not_modified() const;
  // 409 Conflict: another getUpdates poller is running, or a webhook is set.
  bool is_conflict() const { return error_code_ == 409; }
  // The user blocked the bot / the bot was removed from the chat: stop talking to it.
  bool is_forbidden() const { return error_code_ == 403; }
  // Nothing sent to this chat can ever arrive: the bot was blocked or kicked, the user is
  // deactivated (all 403), or the chat does not exist (400 "chat not found"). The chat's
  // queued work is pointless; retrying only earns more errors.
  bool is_chat_gone() const;
  // 401 Unauthorized: the token was revoked or mistyped. Nothing will work until an operator
  // sets a new one, so the process exits rather than retrying for ever.
  bool is_unauthorized() const { return error_code_ == 401; }

 private:
  std::string method_;
  int error_code_;
  std::string description_;
  std::optional<int64_t> migrate_to_chat_id_;
};

// The error kind for a Telegram error_code (429 rate limited, 5xx server, 401 auth, ...).
ErrorKind kind_for_error_code(int error_code);

}  // namespace tgscribe::telegram
