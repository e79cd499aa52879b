#include "telegram/bot_api.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>

#include "common/json_fields.h"
#include "common/metrics.h"
#include "common/redact.h"
#include "common/strings.h"
#include "common/utf8.h"

namespace tgscribe::telegram {
namespace {

using nlohmann::json;

void put_reply(json& p, std::optional<int64_t> reply_to, bool allow_without_reply) {
  if (!reply_to) return;
  p["reply_parameters"] = {{"message_id", *reply_to},
                           {"allow_sending_without_reply", allow_without_reply}};
}

Message message_result(const std::string& method, const json& result) {
  auto m = parse_message(result);
  if (!m) {
    throw ApiError(ErrorKind::kServer, method, 0, "unexpected result: " + m.error);
  }
  return std::move(*m.value);
}

// Removes a partial download unless the transfer completed.
class PartialFileGuard {
 public:
  explicit PartialFileGuard(std::filesystem::path p) : path_(std::move(p)) {}
  ~PartialFileGuard() {
    if (!done_) {
      std::error_code ec;
      std::filesystem::remove(path_, ec);
    }
  }
  void done() { done_ = true; }

 private:
  std::filesystem::path path_;
  bool done_ = false;
};

}  // namespace

BotApi::BotApi(BotApiOptions options, http::HttpClient& http)
    : options_(std::move(options)), http_(http) {
  options_.api_url = without_trailing_slashes(options_.api_url);
  // Whatever logs or errors a URL later, the token in it is masked.
  register_secret(options_.token);
}

std::string BotApi::method_url(const std::string& method) const {
  return options_.api_url + "/bot" + options_.token + "/" + method;
}

http::Response BotApi::send_checked(const std::string& method, http::Request request) {
  request.connect_timeout = options_.connect_timeout;
  try {
    return http_.send(request);
  } catch (const ApiError&) {
    throw;
  } catch (const Error& e) {
    metrics::Registry::global().counter_add("telegram_api_errors_total",
                                            {{"method", method}, {"code", "network"}});
    throw ApiError(e.kind(), method, 0, redact(e.what()));
  }
}

json BotApi::result_of(const std::string& method, const http::Response& response) {
  json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  bool two_xx = response.status >= 200 && response.status < 300;
  if (!body.is_object()) {
    // A proxy or a broken server answered: classify by the HTTP status alone.
    ErrorKind kind =
        two_xx ? ErrorKind::kServer : kind_for_error_code(static_cast<int>(response.status));
    metrics::Registry::global().counter_add(
        "telegram_api_errors_total",
        {{"method", method}, {"code", std::to_string(response.status)}});
    throw ApiError(kind, method, static_cast<int>(response.status),
                   two_xx ? "answer is not JSON" : "HTTP " + std::to_string(response.status));
  }
  if (bool_field(body, "ok") && body.contains("result")) return body["result"];

  int code = static_cast<int>(integer_field(body, "error_code").value_or(response.status));
  std::string description = string_field(body, "description");
  std::optional<std::chrono::milliseconds> retry_after;
  std::optional<int64_t> migrate_to;
  if (const json* p = object_field(body, "parameters")) {
    if (auto r = number_field(*p, "retry_after")) {
      retry_after = std::chrono::milliseconds(static_cast<int64_t>(std::max(0.0, *r) * 1000.0));
    }
    migrate_to = integer_field(*p, "migrate_to_chat_id");
  }
  if (code == 0 || (code >= 200 && code < 300)) code = 500;  // ok:false with a 2xx status
  metrics::Registry::global().counter_add("telegram_api_errors_total",
                                          {{"method", method}, {"code", std::to_string(code)}});
  ErrorKind kind = kind_for_error_code(code);
  if (migrate_to) kind = ErrorKind::kClient;  // not retryable as is: the chat id changed
  throw ApiError(kind, method, code, description, retry_after, migrate_to);
}

json BotApi::call(const std::string& method, const json& params, std::chrono::milliseconds timeout,
                  std::function<bool()> cancelled) {
  http::Request req;
  req.method = "POST";
  req.url = method_url(method);
  req.headers = {{"Content-Type", "application/json"}};
  req.body = params.dump(-1, ' ', false, json::error_handler_t::replace);
  req.timeout = timeout.count() > 0 ? timeout : options_.request_timeout;
  req.cancelled = std::move(cancelled);
  SPDLOG_DEBUG("telegram: {}", method);
  return result_of(method, send_checked(method, std::move(req)));
}

User BotApi::get_me() {
  auto u = parse_user(call("getMe", json::object()));
  if (!u) throw ApiError(ErrorKind::kServer, "getMe", 0, "unexpected result: " + u.error);
  return std::move(*u.value);
}

std::vector<json> BotApi::get_updates(const GetUpdatesParams& params) {
  json p = json::object();
  if (params.offset) p["offset"] = *params.offset;
  p["timeout"] = std::max(0, params.timeout_s);
  p["limit"] = std::clamp(params.limit, 1, 100);
  if (!params.allowed_updates.empty()) p["allowed_updates"] = params.allowed_updates;
  auto timeout = std::chrono::seconds(std::max(0, params.timeout_s)) + options_.long_poll_margin;
  json result =
      call("getUpdates", p, std::chrono::duration_cast<std::chrono::milliseconds>(timeout),
           params.cancelled);
  if (!result.is_array()) {
    throw ApiError(ErrorKind::kServer, "getUpdates", 0, "unexpected result: not an array");
  }
  return std::vector<json>(result.begin(), result.end());
}

File BotApi::get_file(const std::string& file_id) {
  auto f = parse_file(call("getFile", {{"file_id", file_id}}));
  if (!f) throw ApiError(ErrorKind::kServer, "getFile", 0, "unexpected result: " + f.error);
  return std::move(*f.value);
}

int64_t BotApi::read_local(const std::filesystem::path& src, const std::filesystem::path& dest,
                           const ChunkCallback& on_chunk) {
  // The path comes over the network: only a regular file is read, never a symlink (to
  // /etc/passwd, the .env holding the token...), a FIFO (would block forever), a device, a
  // directory, or anything of /proc or /sys. O_NONBLOCK only keeps open() from waiting for a
  // FIFO's writer; a regular file ignores it.
  auto refuse = [&](const std::string& why) -> ApiError {
    return ApiError(ErrorKind::kClient, "download", 0,
                    "refusing to read " + src.string() + " from disk: " + why);
  };
  for (const auto& part : src) {
    if (part == "..") throw refuse("the path climbs out with '..'");
  }
  const int fd = ::open(src.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP) throw refuse("it is a symbolic link");
    throw ApiError(ErrorKind::kClient, "download", 0,
                   "cannot read " + src.string() +
                       " from the local Bot API server's disk (is its directory shared with "
                       "tgscribe at the same path?)");
  }
  struct Close {
    int fd;
    ~Close() { ::close(fd); }
  } close_fd{fd};
  struct stat st {};
  struct statfs fs {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    throw refuse("not a regular file");
  }
  if (::fstatfs(fd, &fs) != 0 || fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC) {
    throw refuse("a kernel file, not media");
  }
  PartialFileGuard guard(dest);
  std::ofstream out(dest, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(ErrorKind::kInternal, "cannot write " + dest.string());
  std::string buf(1 << 20, '\0');
  int64_t total = 0;
  while (true) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) throw ApiError(ErrorKind::kClient, "download", 0, "read error on " + src.string());
    if (n == 0) break;
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    if (on_chunk && !on_chunk(chunk)) {
      throw ApiError(ErrorKind::kCancelled, "download", 0, "download aborted");
    }
    out.write(chunk.data(), n);
    if (!out) throw Error(ErrorKind::kInternal, "cannot write " + dest.string());
    total += n;
  }
  out.close();
  if (!out) throw Error(ErrorKind::kInternal, "cannot write " + dest.string());
  guard.done();
  return total;
}

int64_t BotApi::download(const File& file, const std::filesystem::path& dest,
                         const ChunkCallback& on_chunk) {
  if (file.file_path.empty()) {
    throw ApiError(ErrorKind::kClient, "download", 0, "getFile returned no file_path");
  }
  std::filesystem::path path(file.file_path);
  if (path.is_absolute()) {
    // Only a --local Bot API server hands out absolute paths; they are not served over HTTP.
    // Without TELEGRAM_LOCAL_MODE nothing is read from our disk, whatever path is named.
    if (options_.local_mode) return read_local(path, dest, on_chunk);
    throw ApiError(ErrorKind::kClient, "download", 0,
                   "the Bot API server returned a local path; set TELEGRAM_LOCAL_MODE=true and "
                   "share its files directory with tgscribe");
  }
  if (options_.local_mode) {
    // TELEGRAM_LOCAL_MODE=true but the server was started without --local: HTTP still works.
    SPDLOG_WARN(
        "TELEGRAM_LOCAL_MODE is set but the Bot API server returned a relative path; "
        "is it running with --local? downloading over HTTP");
  }
  http::Request req;
  req.method = "GET";
  req.url = options_.api_url + "/file/bot" + options_.token + "/" + file.file_path;
  req.timeout = options_.transfers.deadline_for(file.file_size > 0 ? file.file_size
                                                                   : options_.max_download_bytes);
  req.stall = options_.transfers.stall;
  PartialFileGuard guard(dest);
  std::ofstream out(dest, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(ErrorKind::kInternal, "cannot write " + dest.string());
  int64_t total = 0;
  bool aborted = false;
  bool write_failed = false;
  req.on_body = [&](std::string_view chunk) {
    if (on_chunk && !on_chunk(chunk)) {
      aborted = true;
      return false;
    }
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    total += static_cast<int64_t>(chunk.size());
    write_failed = !out;
    return !write_failed;
  };
  // The receiver's verdict reaches a silent transfer too (a /cancel during a stall).
  if (on_chunk) {
    req.cancelled = [&] {
      if (!on_chunk(std::string_view())) aborted = true;
      return aborted;
    };
  }
  // A stopped transfer surfaces as a transport error; say what really stopped it.
  auto why_stopped = [&] {
    if (aborted) throw ApiError(ErrorKind::kCancelled, "download", 0, "download aborted");
    if (write_failed) throw Error(ErrorKind::kInternal, "cannot write " + dest.string());
  };
  http::Response res;
  try {
    res = send_checked("download", std::move(req));
  } catch (const ApiError&) {
    why_stopped();
    throw;
  }
  why_stopped();
  if (res.status < 200 || res.status >= 300) {
    int code = static_cast<int>(res.status);
    throw ApiError(kind_for_error_code(code), "download", code,
                   "HTTP " + std::to_string(code) + " for file " + file.file_id);
  }
  out.close();
  if (!out) throw Error(ErrorKind::kInternal, "cannot write " + dest.string());
  guard.done();
  return total;
}

int64_t BotApi::download_file(const std::string& file_id, const std::filesystem::path& dest,
                              const ChunkCallback& on_chunk) {
  return download(get_file(file_id), dest, on_chunk);
}

Message BotApi::send_message(const SendMessageParams& params) {
  json p = {{"chat_id", params.chat_id}, {"text", params.text}};
  if (params.message_thread_id) p["message_thread_id"] = *params.message_thread_id;
  put_reply(p, params.reply_to_message_id, params.allow_sending_without_reply);
  if (!params.parse_mode.empty()) p["parse_mode"] = params.parse_mode;
  if (params.disable_link_preview) p["link_preview_options"] = {{"is_disabled", true}};
  if (params.disable_notification) p["disable_notification"] = true;
  if (params.reply_markup) p["reply_markup"] = params.reply_markup->to_json();
  return message_result("sendMessage", call("sendMessage", p));
}

Message BotApi::edit_message_text(const EditMessageTextParams& params) {
  json p = {{"chat_id", params.chat_id}, {"message_id", params.message_id}, {"text", params.text}};
  if (!params.parse_mode.empty()) p["parse_mode"] = params.parse_mode;
  if (params.disable_link_preview) p["link_preview_options"] = {{"is_disabled", true}};
  if (params.reply_markup) p["reply_markup"] = params.reply_markup->to_json();
  json result = call("editMessageText", p);
  if (result.is_object()) return message_result("editMessageText", result);
  Message m;  // `true` is the answer for inline messages
  m.message_id = params.message_id;
  m.chat.id = params.chat_id;
  m.text = params.text;
  return m;
}

Message BotApi::send_document(const SendDocumentParams& params) {
  http::Request req;
  req.method = "POST";
  req.url = method_url("sendDocument");
  std::error_code size_ec;
  auto size = std::filesystem::file_size(params.file, size_ec);
  req.timeout = std::max(options_.request_timeout,
                         options_.transfers.deadline_for(size_ec ? 0 : static_cast<int64_t>(size)));
  req.stall = options_.transfers.stall;
  auto field = [&](std::string name, std::string value) {
    http::MultipartPart part;
    part.name = std::move(name);
    part.value = std::move(value);
    req.multipart.push_back(std::move(part));
  };
  field("chat_id", std::to_string(params.chat_id));
  if (params.message_thread_id)
    field("message_thread_id", std::to_string(*params.message_thread_id));
  if (params.reply_to_message_id) {
    field("reply_parameters",
          json{{"message_id", *params.reply_to_message_id},
               {"allow_sending_without_reply", params.allow_sending_without_reply}}
              .dump());
  }
  if (!params.caption.empty()) field("caption", utf8::truncate_utf16(params.caption, 1024));
  if (!params.parse_mode.empty()) field("parse_mode", params.parse_mode);
  http::MultipartPart doc;
  doc.name = "document";
  doc.file = params.file;
  doc.filename = params.file_name.empty() ? params.file.filename().string() : params.file_name;
  doc.content_type = params.mime_type.empty() ? "application/octet-stream" : params.mime_type;
  req.multipart.push_back(std::move(doc));
  SPDLOG_DEBUG("telegram: sendDocument {}", params.file_name);
  return message_result("sendDocument",
                        result_of("sendDocument", send_checked("sendDocument", std::move(req))));
}

void BotApi::send_chat_action(int64_t chat_id, const std::string& action,
                              std::optional<int64_t> message_thread_id) {
  json p = {{"chat_id", chat_id}, {"action", action}};
  if (message_thread_id) p["message_thread_id"] = *message_thread_id;
  call("sendChatAction", p);
}

void BotApi::set_my_commands(const std::vector<BotCommand>& commands,
                             const std::string& language_code) {
  json list = json::array();
  for (const auto& c : commands)
    list.push_back({{"command", c.command}, {"description", c.description}});
  json p = {{"commands", list}};
  if (!language_code.empty()) p["language_code"] = language_code;
  call("setMyCommands", p);
}

void BotApi::answer_callback_query(const AnswerCallbackQueryParams& params,
                                   std::chrono::milliseconds timeout) {
  json p = {{"callback_query_id", params.callback_query_id}};
  // Telegram shows at most 200 characters; a longer text is refused, so it is cut here.
  if (!params.text.empty()) p["text"] = utf8::truncate_utf16(params.text, 200);
  if (params.show_alert) p["show_alert"] = true;
  if (params.cache_time_s > 0) p["cache_time"] = params.cache_time_s;
  call("answerCallbackQuery", p, timeout);
}

void BotApi::delete_webhook(bool drop_pending_updates) {
  call("deleteWebhook", {{"drop_pending_updates", drop_pending_updates}});
}

void BotApi::set_webhook(const WebhookParams& params) {
  json p = {{"url", params.url},
            {"max_connections", params.max_connections},
            {"drop_pending_updates", params.drop_pending_updates}};
  if (!params.secret_token.empty()) p["secret_token"] = params.secret_token;
  if (!params.allowed_updates.empty()) p["allowed_updates"] = params.allowed_updates;
  call("setWebhook", p);
}

ChatMember BotApi::get_chat_member(int64_t chat_id, int64_t user_id) {
  auto m = parse_chat_member(call("getChatMember", {{"chat_id", chat_id}, {"user_id", user_id}}));
  if (!m) throw ApiError(ErrorKind::kServer, "getChatMember", 0, "unexpected result: " + m.error);
  return std::move(*m.value);
}

}  // namespace tgscribe::telegram
