#pragma once
// A fake Telegram Bot API server for tests: cpp-httplib on 127.0.0.1, speaking the real wire
// format ({"ok":true,"result":...} / {"ok":false,"error_code","description","parameters"}).
// It checks the token, records every call, queues updates for getUpdates (long polling with
// a short cap), serves registered files, assigns message ids, answers "message is not
// modified" for identical edits, and injects failures (429 with retry_after, 5xx, dropped
// connections, migrations) and slow answers (latency, a hanging method) on demand.
//
//   FakeBotApi tg;                                  // listening on a free port
//   BotApiOptions o{.api_url = tg.url(), .token = tg.token()};
//   auto file = tg.add_file(bytes, "voice.oga");
//   auto sent = tg.push_media({.chat_id = 5}, "voice", file);
//   tg.wait_for_calls("sendMessage", 1);
//   tg.calls("sendMessage")[0].params["text"];
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace tgscribe::telegram::testing {

struct RecordedFile {
  std::string filename;
  std::string content_type;
  std::string content;
};

struct RecordedCall {
  std::string method;
  // Parameters, whatever encoding the client used (JSON body, form, multipart, query).
  // Form values of fields that Telegram types as numbers/objects (chat_id, reply_parameters,
  // ...) are parsed, so tests read params["chat_id"] as a number either way.
  nlohmann::json params = nlohmann::json::object();
  std::map<std::string, RecordedFile> files;  // multipart file parts by field name
  std::string content_type;                   // of the request
  int status = 200;                           // what the fake answered
  std::string answer;                         // the JSON it answered ("" when dropped)
  // The path prefix the client used before /bot<token>/ (see url_for): tells apart the
  // calls of several processes sharing one fake. "" for url().
  std::string client;
  std::chrono::steady_clock::time_point answered_at;  // when the fake answered it

  int64_t chat_id() const;                   // params["chat_id"] or 0
  std::string text() const;                  // params["text"] (or caption) or ""
  std::optional<int64_t> reply_to() const;   // reply_parameters.message_id / reply_to_message_id
  std::optional<int64_t> thread_id() const;  // message_thread_id
};

// A file the fake can hand out through getFile.
struct FakeFile {
  std::string file_id;
  std::string file_unique_id;
  std::string file_path;  // relative (cloud) or absolute (local mode)
  std::string file_name;
  std::string mime_type;
  int64_t size = 0;
};

// Who sends a pushed message, and where.
struct MessageSpec {
  int64_t chat_id = 1001;
  std::string chat_type = "private";  // private | group | supergroup | channel
  std::string chat_title = "Test group";
  bool is_forum = false;
  int64_t user_id = 1001;
  std::string first_name = "Ann";
  std::string last_name;
  std::string username = "ann";
  std::string language_code = "en";
  std::optional<int64_t> thread_id;        // sets message_thread_id + is_topic_message
  std::optional<nlohmann::json> reply_to;  // a message object (e.g. Pushed::message)
  std::string text;                        // text, or caption for media
};

struct Pushed {
  int64_t update_id = 0;
  int64_t message_id = 0;
  nlohmann::json update;
  nlohmann::json message;   // update["message"], handy as MessageSpec::reply_to
  std::string callback_id;  // push_callback: the callback_query's id
};

enum class Fault {
  kRateLimit,    // 429 Too Many Requests with parameters.retry_after
  kServerError,  // 502 with an HTML body, as a proxy in front of Telegram would answer
  kDrop,         // the connection is closed before a full answer is sent
};

class FakeBotApi {
 public:
  explicit FakeBotApi(std::string token = "123456789:TEST_fake-token_abcdefghijklmnop");
  ~FakeBotApi();
  FakeBotApi(const FakeBotApi&) = delete;
  FakeBotApi& operator=(const FakeBotApi&) = delete;

  std::string url() const;  // http://127.0.0.1:PORT (use as TELEGRAM_API_URL)
  // http://127.0.0.1:PORT/via/<client>: the same API, with RecordedCall::client = client.
  std::string url_for(const std::string& client) const;
  int port() const { return port_; }
  const std::string& token() const { return token_; }
  int64_t bot_id() const;  // the number before ':' in the token
  std::string bot_username() const { return "tgscribe_test_bot"; }

  // --- files ---------------------------------------------------------------------------
  // Served at /file/bot<token>/<file_path>. file_name/mime_type are used by push_media.
  FakeFile add_file(std::string content, std::string file_name = "voice.oga",
                    std::string mime_type = "audio/ogg");
  // A file known only by its size (getFile answers "file is too big" past the limit).
  FakeFile add_file_of_size(int64_t size, std::string file_name = "big.mp4",
                            std::string mime_type = "video/mp4");
  // Local Bot API server mode: getFile answers the absolute path (nothing is served).
  FakeFile add_local_file(const std::filesystem::path& absolute_path,
                          std::string mime_type = "audio/ogg");
  void set_download_limit(int64_t bytes);  // getFile limit, default 20'000'000
  void set_upload_limit(int64_t bytes);    // sendDocument limit, default 50'000'000
  int64_t downloads() const;               // files served over /file/...
  // The next `n` downloads send the first `after_bytes` bytes of the file, then nothing more
  // (a stalled connection) until the client gives up or the fake stops.
  void stall_next_downloads(int n, int64_t after_bytes = 1024);

  // --- updates -------------------------------------------------------------------------
  // Queues an update; `update` gets the next update_id unless it has one. Returns the id.
  int64_t push_update(nlohmann::json update);
  // Queues a raw body element as is (malformed updates for robustness tests).
  void push_raw_update(nlohmann::json anything);
  Pushed push_text(const MessageSpec& spec, const std::string& text);
  // kind: voice | audio | video | video_note | document. Uses the file's name/mime/size.
  Pushed push_media(const MessageSpec& spec, const std::string& kind, const FakeFile& file,
                    int duration_s = 3);
  // A tap by `spec`'s user on a button (callback_data `data`) under `message` (a message the
  // bot sent: see sent_message). The query can be answered once, as on Telegram.
  Pushed push_callback(const MessageSpec& spec, const nlohmann::json& message,
                       const std::string& data);
  // A tap on a message older than 48 h (an InaccessibleMessage: chat, message_id, date 0),
  // whose query Telegram no longer accepts: answerCallbackQuery answers 400 "query is too old".
  Pushed push_old_callback(const MessageSpec& spec, int64_t chat_id, int64_t message_id,
                           const std::string& data);
  // A message object as Telegram would put in an update (no update queued).
  nlohmann::json make_message(const MessageSpec& spec);
  size_t pending_updates() const;  // not yet confirmed by an offset
  // Longest a getUpdates call waits for updates (tests stay fast): default 300 ms.
  void set_long_poll_cap(std::chrono::milliseconds cap);

  // --- recorded calls ------------------------------------------------------------------
  std::vector<RecordedCall> calls(const std::string& method = {}) const;
  size_t call_count(const std::string& method = {}) const;
  // Waits until `method` was called (and answered) at least n times; false on timeout.
  bool wait_for_calls(const std::string& method, size_t n,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  void clear_calls();
  // Texts of the messages currently in a chat (sent and edited by the bot), in send order.
  std::vector<std::string> chat_texts(int64_t chat_id) const;
  // Current text of a message the bot sent, or nullopt.
  std::optional<std::string> message_text(int64_t chat_id, int64_t message_id) const;
  // The bot's message as Telegram would show it in an update now (text, reply_markup after
  // edits), or nullopt.
  std::optional<nlohmann::json> sent_message(int64_t chat_id, int64_t message_id) const;
  // The last message sent to `chat_id` whose reply_markup has a button with callback_data
  // starting with `prefix`; nullopt when none.
  std::optional<nlohmann::json> message_with_button(int64_t chat_id,
                                                    const std::string& prefix) const;

  // --- behaviour -----------------------------------------------------------------------
  // Every API method answers this much later (as a distant Telegram would); default 0.
  void set_latency(std::chrono::milliseconds latency);
  // `method` answers this much later, on top of the latency (e.g. a hanging sendChatAction).
  // The call is handled and recorded once the delay is over; other calls are not held up.
  void set_method_delay(const std::string& method, std::chrono::milliseconds delay);

  // The next `n` calls of `method` ("" = any method) fail with `fault`.
  void fail_next(const std::string& method, int n, Fault fault, int retry_after_s = 1);
  // The next `n` calls of `method` answer this Telegram error.
  void fail_next_with(const std::string& method, int n, int error_code, std::string description,
                      nlohmann::json parameters = nullptr);
  // As fail_next / fail_next_with, but only for calls addressed to `chat_id` (a flood limit
  // of one chat, a user who blocked the bot); other chats are answered as usual.
  void fail_chat(int64_t chat_id, const std::string& method, int n, Fault fault,
                 int retry_after_s = 1);
  void fail_chat_with(int64_t chat_id, const std::string& method, int n, int error_code,
                      std::string description);
  // Calls addressed to `old_chat` answer 400 with parameters.migrate_to_chat_id = new_chat.
  void migrate_chat(int64_t old_chat, int64_t new_chat);
  // getChatMember answer; default "member".
  void set_chat_member_status(int64_t chat_id, int64_t user_id, std::string status);
  // A webhook set (by setWebhook or here) makes getUpdates answer 409 until deleteWebhook.
  void set_webhook_url(std::string url);
  std::string webhook_url() const;
  // getWebhookInfo's last_error_date / last_error_message: a failed delivery to the webhook.
  void set_webhook_last_error(int64_t unix_date, std::string message);

 private:
  struct Injected {
    std::string method;
    int64_t chat_id = 0;  // 0: any chat
    int remaining = 0;
    std::optional<Fault> fault;
    int retry_after_s = 1;
    int error_code = 0;
    std::string description;
    nlohmann::json parameters;
  };
  struct Reply {
    int status = 200;
    nlohmann::json body;
    bool drop = false;
    std::string raw;  // non-JSON body (5xx from a proxy)
  };
  struct StoredMessage {
    int64_t chat_id;
    int64_t message_id;
    std::string text;
    nlohmann::json json;  // as sent, with reply_markup
  };

  void start();
  Reply dispatch(const std::string& method, RecordedCall& call);
  Reply ok(nlohmann::json result);
  Reply error(int code, std::string description, nlohmann::json parameters = nullptr);
  Reply get_updates(const RecordedCall& call);
  nlohmann::json sent_message_json(int64_t chat_id, const std::string& text,
                                   const RecordedCall& call);
  std::optional<Reply> injected(const std::string& method, int64_t chat_id);
  void record(RecordedCall call);
  // Waits out the latency and `method`'s delay (cut short when the fake stops).
  void delay_answer(const std::string& method);

  std::string token_;
  int port_ = 0;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;

  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<RecordedCall> calls_;
  std::deque<nlohmann::json> updates_;
  int64_t next_update_id_ = 100000;
  int64_t next_message_id_ = 1;
  int64_t next_file_ = 1;
  std::map<std::string, FakeFile> files_;        // by file_id
  std::map<std::string, std::string> contents_;  // by file_path
  std::vector<StoredMessage> messages_;
  std::vector<Injected> injected_;
  std::map<int64_t, int64_t> migrated_;
  std::map<std::pair<int64_t, int64_t>, std::string> members_;
  std::string webhook_url_;
  int64_t webhook_error_date_ = 0;
  std::string webhook_error_message_;
  int64_t download_limit_ = 20'000'000;
  int64_t upload_limit_ = 50'000'000;
  int64_t downloads_ = 0;
  int stall_downloads_ = 0;
  int64_t stall_after_bytes_ = 0;
  std::chrono::milliseconds long_poll_cap_{300};
  std::chrono::milliseconds latency_{0};
  std::map<std::string, std::chrono::milliseconds> method_delays_;
  // callback_query ids pushed -> answerable (false: answered, or pushed as too old).
  std::map<std::string, bool> callbacks_;
  int64_t next_callback_ = 4242000000000000001;
};

}  // namespace tgscribe::telegram::testing
