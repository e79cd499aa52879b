#include "telegram/api_error.h"

#include "common/redact.h"
#include "common/strings.h"

namespace tgscribe::telegram {
namespace {

std::string message_for(const std::string& method, int code, const std::string& description) {
  std::string text = "Telegram " + method + " failed";
  if (code != 0) text += " (" + std::to_string(code) + ")";
  if (!description.empty()) text += ": " + description;
  return redact(text);
}

}  // namespace

ApiError::ApiError(ErrorKind kind, std::string method, int error_code, std::string description,
                   std::optional<std::chrono::milliseconds> retry_after,
                   std::optional<int64_t> migrate_to_chat_id)
    : Error(kind, message_for(method, error_code, description), retry_after),
      method_(std::move(method)),
      error_code_(error_code),
      description_(redact(description)),
      migrate_to_chat_id_(migrate_to_chat_id) {}

bool ApiError::is_file_too_big() const {
  return to_lower(description_).find("file is too big") != std::string::npos;
}

bool ApiError::is_not_modified() const {
  return to_lower(description_).find("message is not modified") != std::string::npos;
}

bool ApiError::is_chat_gone() const {
  if (error_code_ == 403) return true;
  if (error_code_ != 400) return false;
  std::string d = to_lower(description_);
  return d.find("chat not found") != std::string::npos ||
         d.find("user not found") != std::string::npos ||
         d.find("peer_id_invalid") != std::string::npos;
}

ErrorKind kind_for_error_code(int code) {
  if (code == 429) return ErrorKind::kRateLimited;
  if (code == 401) return ErrorKind::kAuth;
  if (code == 408) return ErrorKind::kTimeout;
  if (code >= 500) return ErrorKind::kServer;
  // 403 is "bot was blocked by the user" far more often than a configuration problem.
  return ErrorKind::kClient;
}

}  // namespace tgscribe::telegram
