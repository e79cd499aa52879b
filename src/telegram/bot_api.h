#pragma once
// The Bot API client: one method per Bot API call tgscribe makes, all as
// POST {api_url}/bot{token}/{method}. Failures throw telegram::ApiError (kind decides retries);
// the token never appears in an error text or log line. No rate limiting or retries here:
// outbound messages go through Sender, which adds both.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_client.h"
#include "telegram/api_error.h"
#include "telegram/types.h"

namespace tgscribe::telegram {

struct BotApiOptions {
  std::string api_url = "https://api.telegram.org";  // TELEGRAM_API_URL
  std::string token;                                 // TELEGRAM_BOT_TOKEN
  bool local_mode = false;                           // TELEGRAM_LOCAL_MODE
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{60'000};  // ordinary calls
  // File downloads and sendDocument uploads: a stall limit, and a deadline from the size.
  http::TransferLimits transfers;
  // The size a file counts as for its download deadline when getFile leaves the size out
  // (TELEGRAM_DOWNLOAD_LIMIT_MB: nothing larger can be downloaded anyway).
  int64_t max_download_bytes = 20'000'000;
  // Extra HTTP time granted over getUpdates' long-poll timeout, so the server always answers
  // before the client gives up.
  std::chrono::milliseconds long_poll_margin{15'000};
};

struct GetUpdatesParams {
  std::optional<int64_t> offset;             // last handled update_id + 1
  int timeout_s = 20;                        // long-poll seconds; 0 = short poll
  int limit = 100;                           // 1..100
  std::vector<std::string> allowed_updates;  // empty = Telegram's default
  // Polled while the long poll waits: true ends it at once with ApiError(kCancelled).
  std::function<bool()> cancelled;
};

struct SendMessageParams {
  int64_t chat_id = 0;
  std::string text;
  std::optional<int64_t> message_thread_id;    // forum topic to post in
  std::optional<int64_t> reply_to_message_id;  // sent as reply_parameters
  bool allow_sending_without_reply = true;     // the original may have been deleted
  std::string parse_mode;                      // "" = plain text (no escaping pitfalls)
  bool disable_link_preview = true;
  bool disable_notification = false;
  std::optional<InlineKeyboard> reply_markup;  // buttons under the message
};

struct EditMessageTextParams {
  int64_t chat_id = 0;
  int64_t message_id = 0;
  std::string text;
  std::string parse_mode;
  bool disable_link_preview = true;
  // Set: the message's buttons become these (empty rows: removed). Unset: unchanged.
  std::optional<InlineKeyboard> reply_markup;
};

struct AnswerCallbackQueryParams {
  std::string callback_query_id;
  std::string text;         // 0-200 characters; "" = just stop the button's spinner
  bool show_alert = false;  // a dialog instead of a toast
  int cache_time_s = 0;
};

struct SendDocumentParams {
  int64_t chat_id = 0;
  std::filesystem::path file;  // streamed from disk
  std::string file_name;       // name shown to the user; default: file's own name
  std::string mime_type;       // default: application/octet-stream
  std::string caption;         // cut to 1024 UTF-16 units
  std::optional<int64_t> message_thread_id;
  std::optional<int64_t> reply_to_message_id;
  bool allow_sending_without_reply = true;
  std::string parse_mode;
};

struct BotCommand {
  std::string command;  // without the slash
  std::string description;
};

struct WebhookParams {
  std::string url;
  std::string secret_token;  // comes back in X-Telegram-Bot-Api-Secret-Token
  int max_connections = 40;
  std::vector<std::string> allowed_updates;
  bool drop_pending_updates = false;  // pending updates are jobs not yet accepted: keep them
};

// Called for each chunk of a downloaded file as it arrives (hash it, count progress).
// Return false to abort the download (e.g. cancelled job). While no data arrives (a slow or
// stalled server) it is also called with an empty chunk several times a second, so that a
// cancel is noticed within a fraction of a second whatever the server does.
using ChunkCallback = std::function<bool(std::string_view chunk)>;

class BotApi {
 public:
  BotApi(BotApiOptions options, http::HttpClient& http);

  User get_me();
  // Raw update objects (parse each with parse_update; one malformed update must not hide the
  // others, so the array is not parsed here).
  std::vector<nlohmann::json> get_updates(const GetUpdatesParams& params);
  File get_file(const std::string& file_id);
  // Streams the file to `dest` (replaced), calling on_chunk for every chunk; returns the
  // byte count. Cloud: GET {api_url}/file/bot{token}/{file_path}. Local mode (or whenever
  // file_path is absolute and readable): read from disk. A partial `dest` is removed on error.
  // A download that stalls or outlives its deadline (options.transfers) fails with kTimeout.
  int64_t download(const File& file, const std::filesystem::path& dest,
                   const ChunkCallback& on_chunk = {});
  // getFile + download.
  int64_t download_file(const std::string& file_id, const std::filesystem::path& dest,
                        const ChunkCallback& on_chunk = {});

  Message send_message(const SendMessageParams& params);
  // Throws ApiError with is_not_modified() for an identical text (Sender ignores it).
  Message edit_message_text(const EditMessageTextParams& params);
  Message send_document(const SendDocumentParams& params);
  // action: "typing", "upload_document", ...
  void send_chat_action(int64_t chat_id, const std::string& action,
                        std::optional<int64_t> message_thread_id = std::nullopt);
  // language_code "" = the default list; "id" = shown to Indonesian clients.
  void set_my_commands(const std::vector<BotCommand>& commands,
                       const std::string& language_code = {});
  // Stops the tapped button's spinner and shows `text`. Telegram refuses a query older than
  // about 15 minutes (400 "query is too old ... or query ID is invalid": ApiError kClient).
  // `timeout` 0 = options.request_timeout.
  void answer_callback_query(const AnswerCallbackQueryParams& params,
                             std::chrono::milliseconds timeout = std::chrono::milliseconds(0));
  void delete_webhook(bool drop_pending_updates = false);
  void set_webhook(const WebhookParams& params);
  ChatMember get_chat_member(int64_t chat_id, int64_t user_id);

  // Any method: returns Telegram's `result`. `timeout` 0 = options.request_timeout;
  // `cancelled` (optional) is polled while the call waits (http::Request::cancelled).
  nlohmann::json call(const std::string& method, const nlohmann::json& params,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(0),
                      std::function<bool()> cancelled = {});

  const BotApiOptions& options() const { return options_; }

 private:
  http::Response send_checked(const std::string& method, http::Request request);
  nlohmann::json result_of(const std::string& method, const http::Response& response);
  int64_t read_local(const std::filesystem::path& src, const std::filesystem::path& dest,
                     const ChunkCallback& on_chunk);
  std::string method_url(const std::string& method) const;

  BotApiOptions options_;
  http::HttpClient& http_;
};

}  // namespace tgscribe::telegram
