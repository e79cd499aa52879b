#include "telegram/testing/fake_bot_api.h"

#include <httplib.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace tgscribe::telegram::testing {
namespace {

using nlohmann::json;

// Telegram types these as numbers, booleans or JSON objects; in form encodings they arrive as
// strings and are decoded the same way Telegram decodes them.
const std::set<std::string>& typed_fields() {
  static const std::set<std::string> fields = {"chat_id",
                                               "message_id",
                                               "message_thread_id",
                                               "reply_parameters",
                                               "reply_to_message_id",
                                               "allowed_updates",
                                               "offset",
                                               "limit",
                                               "timeout",
                                               "user_id",
                                               "max_connections",
                                               "drop_pending_updates",
                                               "commands",
                                               "link_preview_options",
                                               "disable_notification",
                                               "allow_sending_without_reply",
                                               "scope",
                                               "reply_markup"};
  return fields;
}

json decode_form_value(const std::string& name, const std::string& value) {
  if (!typed_fields().count(name)) return value;
  json j = json::parse(value, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? json(value) : j;
}

// Counted as Telegram does and independently of common/utf8 (the client's truncation uses
// that): a shared bug would pass the fake's length limits unseen.
size_t utf16_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) n += (c >= 0xF0) ? 2 : 1;
  }
  return n;
}

std::optional<int64_t> int_param(const json& params, const char* key) {
  auto it = params.find(key);
  if (it == params.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) {
    try {
      size_t used = 0;
      int64_t v = std::stoll(it->get<std::string>(), &used);
      if (used == it->get<std::string>().size()) return v;
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

std::string str_param(const json& params, const char* key) {
  auto it = params.find(key);
  if (it == params.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::string chat_type_for(int64_t chat_id) {
  if (chat_id > 0) return "private";
  return chat_id <= -1000000000000 ? "supergroup" : "group";
}

}  // namespace

int64_t RecordedCall::chat_id() const { return int_param(params, "chat_id").value_or(0); }

std::string RecordedCall::text() const {
  std::string t = str_param(params, "text");
  return t.empty() ? str_param(params, "caption") : t;
}

std::optional<int64_t> RecordedCall::reply_to() const {
  if (auto it = params.find("reply_parameters"); it != params.end() && it->is_object()) {
    return int_param(*it, "message_id");
  }
  return int_param(params, "reply_to_message_id");
}

std::optional<int64_t> RecordedCall::thread_id() const {
  return int_param(params, "message_thread_id");
}

FakeBotApi::FakeBotApi(std::string token) : token_(std::move(token)) { start(); }

FakeBotApi::~FakeBotApi() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeBotApi::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string FakeBotApi::url_for(const std::string& client) const {
  return url() + "/via/" + client;
}

int64_t FakeBotApi::bot_id() const {
  try {
    return std::stoll(token_.substr(0, token_.find(':')));
  } catch (const std::exception&) {
    return 1;
  }
}

void FakeBotApi::start() {
  server_ = std::make_unique<httplib::Server>();
  // Long polls, keep-alive connections and delayed answers each hold a worker: a pool large
  // enough that a hanging method never queues the calls behind it.
  server_->new_task_queue = [] { return new httplib::ThreadPool(64); };
  server_->set_keep_alive_timeout(2);

  auto api_handler = [this](const httplib::Request& req, httplib::Response& res) {
    RecordedCall call;
    call.client = req.matches[1];
    call.method = req.matches[3];
    call.content_type = req.get_header_value("Content-Type");
    if (req.matches[2] != token_) {
      // Wrong token: Telegram answers 401 without looking at the method.
      json body = {{"ok", false}, {"error_code", 401}, {"description", "Unauthorized"}};
      res.status = 401;
      res.set_content(body.dump(), "application/json");
      call.status = 401;
      call.answer = body.dump();
      record(std::move(call));
      return;
    }
    if (call.content_type.rfind("application/json", 0) == 0) {
      json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
      if (body.is_object()) call.params = body;
    } else if (req.is_multipart_form_data()) {
      for (const auto& [name, part] : req.files) {
        if (part.filename.empty()) {
          call.params[name] = decode_form_value(name, part.content);
        } else {
          call.files[name] = RecordedFile{part.filename, part.content_type, part.content};
        }
      }
    }
    for (const auto& [name, value] : req.params) {
      if (!call.params.contains(name)) call.params[name] = decode_form_value(name, value);
    }
    delay_answer(call.method);
    Reply reply = dispatch(call.method, call);
    call.status = reply.drop ? 0 : reply.status;
    if (reply.drop) {
      // Headers promise a body that never comes: the client sees a connection cut mid-answer.
      res.status = 200;
      res.set_content_provider(64, "application/json",
                               [](size_t, size_t, httplib::DataSink&) { return false; });
    } else if (!reply.raw.empty()) {
      res.status = reply.status;
      res.set_content(reply.raw, "text/html");
      call.answer = reply.raw;
    } else {
      res.status = reply.status;
      call.answer = reply.body.dump();
      res.set_content(call.answer, "application/json");
    }
    record(std::move(call));
  };
  // Optionally under /via/<client> (url_for), to tell several processes' calls apart.
  server_->Post(R"((?:/via/([^/]+))?/bot([^/]+)/([A-Za-z]+))", api_handler);
  server_->Get(R"((?:/via/([^/]+))?/bot([^/]+)/([A-Za-z]+))", api_handler);

  server_->Get(R"((?:/via/([^/]+))?/file/bot([^/]+)/(.+))", [this](const httplib::Request& req,
                                                                   httplib::Response& res) {
    RecordedCall call;
    call.client = req.matches[1];
    call.method = "file";
    call.params["file_path"] = std::string(req.matches[3]);
    std::unique_lock lock(mutex_);
    std::optional<Reply> fault = req.matches[2] == token_ ? injected("file", 0) : std::nullopt;
    auto it = contents_.find(req.matches[3]);
    if (req.matches[2] != token_ || it == contents_.end()) {
      res.status = 404;
      res.set_content(R"({"ok":false,"error_code":404,"description":"Not Found"})",
                      "application/json");
      call.status = 404;
    } else if (fault && fault->drop) {
      res.status = 200;
      res.set_content_provider(it->second.size() + 64, "application/octet-stream",
                               [](size_t, size_t, httplib::DataSink&) { return false; });
      call.status = 0;
    } else if (fault) {
      res.status = fault->status;
      res.set_content(fault->raw.empty() ? fault->body.dump() : fault->raw, "text/plain");
      call.status = fault->status;
    } else if (stall_downloads_ > 0) {
      --stall_downloads_;
      ++downloads_;
      res.status = 200;
      std::string head = it->second.substr(
          0, static_cast<size_t>(std::clamp<int64_t>(stall_after_bytes_, 0,
                                                     static_cast<int64_t>(it->second.size()))));
      res.set_content_provider(it->second.size(), "application/octet-stream",
                               [this, head](size_t offset, size_t, httplib::DataSink& sink) {
                                 if (offset < head.size()) {
                                   sink.write(head.data() + offset, head.size() - offset);
                                   return true;
                                 }
                                 // Stalled: the promised rest never comes.
                                 std::unique_lock wait(mutex_);
                                 cv_.wait(wait, [&] { return stopping_; });
                                 return false;
                               });
    } else {
      ++downloads_;
      res.status = 200;
      res.set_content(it->second, "application/octet-stream");
    }
    lock.unlock();
    record(std::move(call));
  });

  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("FakeBotApi: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  for (int i = 0; i < 500 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void FakeBotApi::delay_answer(const std::string& method) {
  std::unique_lock lock(mutex_);
  auto delay = latency_;
  if (auto it = method_delays_.find(method); it != method_delays_.end()) delay += it->second;
  if (delay.count() > 0) cv_.wait_for(lock, delay, [&] { return stopping_; });
}

void FakeBotApi::record(RecordedCall call) {
  call.answered_at = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    calls_.push_back(std::move(call));
  }
  cv_.notify_all();
}

FakeBotApi::Reply FakeBotApi::ok(json result) {
  return Reply{200, json{{"ok", true}, {"result", std::move(result)}}};
}

FakeBotApi::Reply FakeBotApi::error(int code, std::string description, json parameters) {
  json body = {{"ok", false}, {"error_code", code}, {"description", std::move(description)}};
  if (!parameters.is_null()) body["parameters"] = std::move(parameters);
  return Reply{code, std::move(body)};
}

// Caller holds mutex_.
std::optional<FakeBotApi::Reply> FakeBotApi::injected(const std::string& method, int64_t chat_id) {
  for (auto it = injected_.begin(); it != injected_.end(); ++it) {
    if (!it->method.empty() && it->method != method) continue;
    if (it->chat_id != 0 && it->chat_id != chat_id) continue;
    Injected inj = *it;
    if (--it->remaining <= 0) injected_.erase(it);
    if (inj.fault == Fault::kRateLimit) {
      return error(429, "Too Many Requests: retry after " + std::to_string(inj.retry_after_s),
                   json{{"retry_after", inj.retry_after_s}});
    }
    if (inj.fault == Fault::kServerError) {
      Reply r;
      r.status = 502;
      r.raw = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
      return r;
    }
    if (inj.fault == Fault::kDrop) {
      Reply r;
      r.drop = true;
      return r;
    }
    return error(inj.error_code, inj.description, inj.parameters);
  }
  if (auto m = migrated_.find(chat_id); chat_id != 0 && m != migrated_.end()) {
    return error(400, "Bad Request: group chat was upgraded to a supergroup chat",
                 json{{"migrate_to_chat_id", m->second}});
  }
  return std::nullopt;
}

json FakeBotApi::sent_message_json(int64_t chat_id, const std::string& text,
                                   const RecordedCall& call) {
  json m = {{"message_id", next_message_id_++},
            {"date", static_cast<int64_t>(std::time(nullptr))},
            {"chat", {{"id", chat_id}, {"type", chat_type_for(chat_id)}}},
            {"from",
             {{"id", bot_id()},
              {"is_bot", true},
              {"first_name", "tgscribe test"},
              {"username", bot_username()}}}};
  if (!text.empty()) m["text"] = text;
  if (auto t = call.thread_id()) {
    m["message_thread_id"] = *t;
    m["is_topic_message"] = true;
  }
  if (auto r = call.reply_to()) m["reply_to_message"] = {{"message_id", *r}, {"chat", m["chat"]}};
  if (auto k = call.params.find("reply_markup"); k != call.params.end() && k->is_object()) {
    m["reply_markup"] = *k;
  }
  return m;
}

FakeBotApi::Reply FakeBotApi::get_updates(const RecordedCall& call) {
  std::unique_lock lock(mutex_);
  if (!webhook_url_.empty()) {
    return error(409,
                 "Conflict: can't use getUpdates method while webhook is active; use "
                 "deleteWebhook to delete the webhook first");
  }
  auto confirm = [&] {
    if (auto offset = int_param(call.params, "offset")) {
      while (!updates_.empty() && updates_.front().value("__seq", int64_t{0}) < *offset) {
        updates_.pop_front();
      }
    }
  };
  confirm();
  auto timeout_s = int_param(call.params, "timeout").value_or(0);
  auto wait = std::min<std::chrono::milliseconds>(
      std::chrono::seconds(std::max<int64_t>(0, timeout_s)), long_poll_cap_);
  cv_.wait_for(lock, wait, [&] { return stopping_ || !updates_.empty(); });
  confirm();
  int64_t limit = std::clamp<int64_t>(int_param(call.params, "limit").value_or(100), 1, 100);
  json result = json::array();
  for (const auto& u : updates_) {
    if (static_cast<int64_t>(result.size()) >= limit) break;
    json out = u.at("__body");
    result.push_back(std::move(out));
  }
  return ok(std::move(result));
}

FakeBotApi::Reply FakeBotApi::dispatch(const std::string& method, RecordedCall& call) {
  if (method == "getUpdates") {
    {
      std::lock_guard lock(mutex_);
      if (auto r = injected(method, 0)) return *r;
    }
    return get_updates(call);
  }
  static const std::set<std::string> known = {
      "getMe",       "deleteWebhook",   "setWebhook",    "getWebhookInfo",
      "getFile",     "setMyCommands",   "getChatMember", "sendChatAction",
      "sendMessage", "editMessageText", "sendDocument",  "answerCallbackQuery"};
  if (!known.count(method)) return error(404, "Not Found");
  std::lock_guard lock(mutex_);
  const json& p = call.params;
  auto chat_id = int_param(p, "chat_id");
  if (auto r = injected(method, chat_id.value_or(0))) return *r;

  if (method == "getMe") {
    return ok({{"id", bot_id()},
               {"is_bot", true},
               {"first_name", "tgscribe test"},
               {"username", bot_username()},
               {"can_join_groups", true},
               {"can_read_all_group_messages", false},
               {"supports_inline_queries", false}});
  }
  if (method == "deleteWebhook") {
    webhook_url_.clear();
    return ok(true);
  }
  if (method == "setWebhook") {
    std::string url = str_param(p, "url");
    if (url.empty()) return error(400, "Bad Request: bad webhook: URL is empty");
    std::string secret = str_param(p, "secret_token");
    static const std::regex secret_re("[A-Za-z0-9_-]{1,256}");
    if (p.contains("secret_token") && !std::regex_match(secret, secret_re)) {
      return error(400, "Bad Request: secret token contains unallowed characters");
    }
    if (auto mc = int_param(p, "max_connections"); mc && (*mc < 1 || *mc > 100)) {
      return error(400, "Bad Request: bad max_connections");
    }
    webhook_url_ = url;
    return ok(true);
  }
  if (method == "getWebhookInfo") {
    json info = {{"url", webhook_url_},
                 {"has_custom_certificate", false},
                 {"pending_update_count", updates_.size()}};
    if (webhook_error_date_ > 0) {
      info["last_error_date"] = webhook_error_date_;
      info["last_error_message"] = webhook_error_message_;
    }
    return ok(std::move(info));
  }
  if (method == "getFile") {
    auto it = files_.find(str_param(p, "file_id"));
    if (it == files_.end()) return error(400, "Bad Request: invalid file_id");
    const FakeFile& f = it->second;
    bool local = !f.file_path.empty() && f.file_path[0] == '/';
    if (!local && f.size > download_limit_) return error(400, "Bad Request: file is too big");
    return ok({{"file_id", f.file_id},
               {"file_unique_id", f.file_unique_id},
               {"file_size", f.size},
               {"file_path", f.file_path}});
  }
  if (method == "setMyCommands") {
    auto cmds = p.find("commands");
    if (cmds == p.end() || !cmds->is_array()) return error(400, "Bad Request: commands not found");
    static const std::regex cmd_re("[a-z0-9_]{1,32}");
    for (const auto& c : *cmds) {
      if (!c.is_object() || !std::regex_match(c.value("command", ""), cmd_re) ||
          c.value("description", "").empty()) {
        return error(400, "Bad Request: BOT_COMMAND_INVALID");
      }
    }
    return ok(true);
  }
  if (method == "getChatMember") {
    auto user = int_param(p, "user_id");
    if (!chat_id || !user) return error(400, "Bad Request: chat not found");
    auto it = members_.find({*chat_id, *user});
    std::string status = it == members_.end() ? "member" : it->second;
    return ok(
        {{"status", status}, {"user", {{"id", *user}, {"is_bot", false}, {"first_name", "User"}}}});
  }
  if (method == "answerCallbackQuery") {
    std::string id = str_param(p, "callback_query_id");
    if (id.empty()) return error(400, "Bad Request: QUERY_ID_INVALID");
    if (utf16_length(str_param(p, "text")) > 200) {
      return error(400, "Bad Request: MESSAGE_TOO_LONG");
    }
    auto it = callbacks_.find(id);
    // Telegram's words for an unknown, expired or already answered query.
    if (it == callbacks_.end() || !it->second) {
      return error(400,
                   "Bad Request: query is too old and response timeout expired or query ID is "
                   "invalid");
    }
    it->second = false;
    return ok(true);
  }
  // Everything below talks to a chat.
  if (!chat_id) return error(400, "Bad Request: chat_id is empty");
  if (method == "sendChatAction") {
    if (str_param(p, "action").empty()) return error(400, "Bad Request: action is empty");
    return ok(true);
  }
  if (method == "sendMessage") {
    std::string text = str_param(p, "text");
    if (text.empty()) return error(400, "Bad Request: message text is empty");
    if (utf16_length(text) > 4096) return error(400, "Bad Request: message is too long");
    json m = sent_message_json(*chat_id, text, call);
    messages_.push_back({*chat_id, m["message_id"].get<int64_t>(), text, m});
    return ok(std::move(m));
  }
  if (method == "editMessageText") {
    auto message_id = int_param(p, "message_id");
    std::string text = str_param(p, "text");
    if (text.empty()) return error(400, "Bad Request: message text is empty");
    if (utf16_length(text) > 4096) return error(400, "Bad Request: MESSAGE_TOO_LONG");
    auto it = std::find_if(messages_.begin(), messages_.end(), [&](const StoredMessage& m) {
      return m.chat_id == *chat_id && message_id && m.message_id == *message_id;
    });
    if (it == messages_.end()) return error(400, "Bad Request: message to edit not found");
    if (it->text == text) {
      return error(400,
                   "Bad Request: message is not modified: specified new message content and "
                   "reply markup of the specified message are exactly the same as a current "
                   "content and reply markup of the message");
    }
    it->text = text;
    it->json["text"] = text;
    if (p.contains("reply_markup")) it->json["reply_markup"] = p["reply_markup"];
    json m = sent_message_json(*chat_id, text, call);
    m["message_id"] = *message_id;
    --next_message_id_;  // sent_message_json took an id the edit does not use
    m["edit_date"] = static_cast<int64_t>(std::time(nullptr));
    return ok(std::move(m));
  }
  if (method == "sendDocument") {
    auto doc = call.files.find("document");
    if (doc == call.files.end()) {
      return error(400, "Bad Request: there is no document in the request");
    }
    if (static_cast<int64_t>(doc->second.content.size()) > upload_limit_) {
      return error(413, "Request Entity Too Large");
    }
    std::string caption = str_param(p, "caption");
    if (utf16_length(caption) > 1024) return error(400, "Bad Request: message caption is too long");
    json m = sent_message_json(*chat_id, "", call);
    int64_t n = next_file_++;
    m["document"] = {{"file_id", "DOC" + std::to_string(n)},
                     {"file_unique_id", "udoc" + std::to_string(n)},
                     {"file_name", doc->second.filename},
                     {"mime_type", doc->second.content_type},
                     {"file_size", doc->second.content.size()}};
    if (!caption.empty()) m["caption"] = caption;
    return ok(std::move(m));
  }
  return error(404, "Not Found");
}

FakeFile FakeBotApi::add_file(std::string content, std::string file_name, std::string mime_type) {
  std::lock_guard lock(mutex_);
  int64_t n = next_file_++;
  FakeFile f;
  f.file_id = "FILE" + std::to_string(n) + "_AgADbQADv7c";
  f.file_unique_id = "AgADuniq" + std::to_string(n);
  std::string ext =
      file_name.find('.') == std::string::npos ? "" : file_name.substr(file_name.rfind('.'));
  f.file_path = "documents/file_" + std::to_string(n) + ext;
  f.file_name = std::move(file_name);
  f.mime_type = std::move(mime_type);
  f.size = static_cast<int64_t>(content.size());
  contents_[f.file_path] = std::move(content);
  files_[f.file_id] = f;
  return f;
}

FakeFile FakeBotApi::add_file_of_size(int64_t size, std::string file_name, std::string mime_type) {
  std::lock_guard lock(mutex_);
  int64_t n = next_file_++;
  FakeFile f;
  f.file_id = "FILE" + std::to_string(n) + "_big";
  f.file_unique_id = "AgADbig" + std::to_string(n);
  f.file_path = "videos/file_" + std::to_string(n) + ".mp4";
  f.file_name = std::move(file_name);
  f.mime_type = std::move(mime_type);
  f.size = size;
  files_[f.file_id] = f;
  return f;
}

FakeFile FakeBotApi::add_local_file(const std::filesystem::path& absolute_path,
                                    std::string mime_type) {
  std::lock_guard lock(mutex_);
  int64_t n = next_file_++;
  FakeFile f;
  f.file_id = "FILE" + std::to_string(n) + "_local";
  f.file_unique_id = "AgADlocal" + std::to_string(n);
  f.file_path = std::filesystem::absolute(absolute_path).string();
  f.file_name = absolute_path.filename().string();
  f.mime_type = std::move(mime_type);
  std::error_code ec;
  auto size = std::filesystem::file_size(absolute_path, ec);
  f.size = ec ? 0 : static_cast<int64_t>(size);
  files_[f.file_id] = f;
  return f;
}

void FakeBotApi::set_download_limit(int64_t bytes) {
  std::lock_guard lock(mutex_);
  download_limit_ = bytes;
}

void FakeBotApi::set_upload_limit(int64_t bytes) {
  std::lock_guard lock(mutex_);
  upload_limit_ = bytes;
}

void FakeBotApi::stall_next_downloads(int n, int64_t after_bytes) {
  std::lock_guard lock(mutex_);
  stall_downloads_ = n;
  stall_after_bytes_ = after_bytes;
}

int64_t FakeBotApi::downloads() const {
  std::lock_guard lock(mutex_);
  return downloads_;
}

int64_t FakeBotApi::push_update(json update) {
  int64_t id;
  {
    std::lock_guard lock(mutex_);
    if (update.is_object() && update.contains("update_id") &&
        update["update_id"].is_number_integer()) {
      id = update["update_id"].get<int64_t>();
      next_update_id_ = std::max(next_update_id_, id + 1);
    } else {
      id = next_update_id_++;
      update["update_id"] = id;
    }
    updates_.push_back(json{{"__seq", id}, {"__body", std::move(update)}});
  }
  cv_.notify_all();
  return id;
}

void FakeBotApi::push_raw_update(json anything) {
  {
    std::lock_guard lock(mutex_);
    // Confirmed like any other update once a later update_id is confirmed.
    updates_.push_back(json{{"__seq", next_update_id_++}, {"__body", std::move(anything)}});
  }
  cv_.notify_all();
}

json FakeBotApi::make_message(const MessageSpec& spec) {
  int64_t id;
  {
    std::lock_guard lock(mutex_);
    id = next_message_id_++;
  }
  json chat = {{"id", spec.chat_id}, {"type", spec.chat_type}};
  if (spec.chat_type == "private") {
    chat["first_name"] = spec.first_name;
  } else {
    chat["title"] = spec.chat_title;
    if (spec.is_forum) chat["is_forum"] = true;
  }
  json from = {{"id", spec.user_id}, {"is_bot", false}, {"first_name", spec.first_name}};
  if (!spec.last_name.empty()) from["last_name"] = spec.last_name;
  if (!spec.username.empty()) from["username"] = spec.username;
  if (!spec.language_code.empty()) from["language_code"] = spec.language_code;
  json m = {{"message_id", id},
            {"date", static_cast<int64_t>(std::time(nullptr))},
            {"chat", chat},
            {"from", from}};
  if (spec.thread_id) {
    m["message_thread_id"] = *spec.thread_id;
    m["is_topic_message"] = true;
  }
  if (spec.reply_to) m["reply_to_message"] = *spec.reply_to;
  return m;
}

Pushed FakeBotApi::push_text(const MessageSpec& spec, const std::string& text) {
  Pushed p;
  p.message = make_message(spec);
  p.message["text"] = text;
  if (!text.empty() && text[0] == '/') {
    size_t len = text.find(' ');
    if (len == std::string::npos) len = text.size();
    p.message["entities"] = json::array(
        {{{"type", "bot_command"}, {"offset", 0}, {"length", utf16_length(text.substr(0, len))}}});
  }
  p.message_id = p.message["message_id"].get<int64_t>();
  p.update = {{"message", p.message}};
  p.update_id = push_update(p.update);
  p.update["update_id"] = p.update_id;
  return p;
}

Pushed FakeBotApi::push_media(const MessageSpec& spec, const std::string& kind,
                              const FakeFile& file, int duration_s) {
  Pushed p;
  p.message = make_message(spec);
  json media = {{"file_id", file.file_id}, {"file_unique_id", file.file_unique_id}};
  if (file.size > 0) media["file_size"] = file.size;
  if (kind != "document") media["duration"] = duration_s;
  if (kind == "voice" || kind == "audio" || kind == "document" || kind == "video") {
    if (!file.mime_type.empty()) media["mime_type"] = file.mime_type;
  }
  if (kind == "audio" || kind == "document" || kind == "video") {
    if (!file.file_name.empty()) media["file_name"] = file.file_name;
  }
  if (kind == "video") {
    media["width"] = 640;
    media["height"] = 360;
  }
  if (kind == "video_note") media["length"] = 240;
  p.message[kind] = media;
  if (!spec.text.empty()) p.message["caption"] = spec.text;
  p.message_id = p.message["message_id"].get<int64_t>();
  p.update = {{"message", p.message}};
  p.update_id = push_update(p.update);
  p.update["update_id"] = p.update_id;
  return p;
}

size_t FakeBotApi::pending_updates() const {
  std::lock_guard lock(mutex_);
  return updates_.size();
}

void FakeBotApi::set_long_poll_cap(std::chrono::milliseconds cap) {
  std::lock_guard lock(mutex_);
  long_poll_cap_ = cap;
}

std::vector<RecordedCall> FakeBotApi::calls(const std::string& method) const {
  std::lock_guard lock(mutex_);
  std::vector<RecordedCall> out;
  for (const auto& c : calls_) {
    if (method.empty() || c.method == method) out.push_back(c);
  }
  return out;
}

size_t FakeBotApi::call_count(const std::string& method) const {
  std::lock_guard lock(mutex_);
  return static_cast<size_t>(
      std::count_if(calls_.begin(), calls_.end(),
                    [&](const RecordedCall& c) { return method.empty() || c.method == method; }));
}

bool FakeBotApi::wait_for_calls(const std::string& method, size_t n,
                                std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] {
    size_t count = 0;
    for (const auto& c : calls_) count += (method.empty() || c.method == method) ? 1 : 0;
    return count >= n;
  });
}

void FakeBotApi::clear_calls() {
  std::lock_guard lock(mutex_);
  calls_.clear();
}

std::vector<std::string> FakeBotApi::chat_texts(int64_t chat_id) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& m : messages_) {
    if (m.chat_id == chat_id) out.push_back(m.text);
  }
  return out;
}

std::optional<json> FakeBotApi::sent_message(int64_t chat_id, int64_t message_id) const {
  std::lock_guard lock(mutex_);
  for (const auto& m : messages_) {
    if (m.chat_id == chat_id && m.message_id == message_id) return m.json;
  }
  return std::nullopt;
}

std::optional<json> FakeBotApi::message_with_button(int64_t chat_id,
                                                    const std::string& prefix) const {
  std::lock_guard lock(mutex_);
  for (auto m = messages_.rbegin(); m != messages_.rend(); ++m) {
    if (m->chat_id != chat_id) continue;
    auto k = m->json.find("reply_markup");
    if (k == m->json.end() || !k->contains("inline_keyboard")) continue;
    for (const auto& row : (*k)["inline_keyboard"]) {
      for (const auto& b : row) {
        if (b.value("callback_data", "").rfind(prefix, 0) == 0) return m->json;
      }
    }
  }
  return std::nullopt;
}

Pushed FakeBotApi::push_callback(const MessageSpec& spec, const json& message,
                                 const std::string& data) {
  Pushed p;
  {
    std::lock_guard lock(mutex_);
    p.callback_id = std::to_string(next_callback_++);
    callbacks_[p.callback_id] = true;
  }
  json from = {{"id", spec.user_id}, {"is_bot", false}, {"first_name", spec.first_name}};
  if (!spec.username.empty()) from["username"] = spec.username;
  if (!spec.language_code.empty()) from["language_code"] = spec.language_code;
  p.message = message;
  p.message_id = message.value("message_id", int64_t{0});
  p.update = {{"callback_query",
               {{"id", p.callback_id},
                {"from", from},
                {"message", message},
                {"chat_instance", "-73154302698166" + std::to_string(spec.chat_id % 1000)},
                {"data", data}}}};
  p.update_id = push_update(p.update);
  p.update["update_id"] = p.update_id;
  return p;
}

Pushed FakeBotApi::push_old_callback(const MessageSpec& spec, int64_t chat_id, int64_t message_id,
                                     const std::string& data) {
  json inaccessible = {{"chat", {{"id", chat_id}, {"type", chat_type_for(chat_id)}}},
                       {"message_id", message_id},
                       {"date", 0}};
  Pushed p = push_callback(spec, inaccessible, data);
  std::lock_guard lock(mutex_);
  callbacks_[p.callback_id] = false;  // too old to answer
  return p;
}

std::optional<std::string> FakeBotApi::message_text(int64_t chat_id, int64_t message_id) const {
  std::lock_guard lock(mutex_);
  for (const auto& m : messages_) {
    if (m.chat_id == chat_id && m.message_id == message_id) return m.text;
  }
  return std::nullopt;
}

void FakeBotApi::set_latency(std::chrono::milliseconds latency) {
  std::lock_guard lock(mutex_);
  latency_ = latency;
}

void FakeBotApi::set_method_delay(const std::string& method, std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  method_delays_[method] = delay;
}

void FakeBotApi::fail_next(const std::string& method, int n, Fault fault, int retry_after_s) {
  std::lock_guard lock(mutex_);
  Injected inj;
  inj.method = method;
  inj.remaining = n;
  inj.fault = fault;
  inj.retry_after_s = retry_after_s;
  injected_.push_back(std::move(inj));
}

void FakeBotApi::fail_next_with(const std::string& method, int n, int error_code,
                                std::string description, json parameters) {
  std::lock_guard lock(mutex_);
  Injected inj;
  inj.method = method;
  inj.remaining = n;
  inj.error_code = error_code;
  inj.description = std::move(description);
  inj.parameters = std::move(parameters);
  injected_.push_back(std::move(inj));
}

void FakeBotApi::fail_chat(int64_t chat_id, const std::string& method, int n, Fault fault,
                           int retry_after_s) {
  std::lock_guard lock(mutex_);
  Injected inj;
  inj.method = method;
  inj.chat_id = chat_id;
  inj.remaining = n;
  inj.fault = fault;
  inj.retry_after_s = retry_after_s;
  injected_.push_back(std::move(inj));
}

void FakeBotApi::fail_chat_with(int64_t chat_id, const std::string& method, int n, int error_code,
                                std::string description) {
  std::lock_guard lock(mutex_);
  Injected inj;
  inj.method = method;
  inj.chat_id = chat_id;
  inj.remaining = n;
  inj.error_code = error_code;
  inj.description = std::move(description);
  injected_.push_back(std::move(inj));
}

void FakeBotApi::migrate_chat(int64_t old_chat, int64_t new_chat) {
  std::lock_guard lock(mutex_);
  migrated_[old_chat] = new_chat;
}

void FakeBotApi::set_chat_member_status(int64_t chat_id, int64_t user_id, std::string status) {
  std::lock_guard lock(mutex_);
  members_[{chat_id, user_id}] = std::move(status);
}

void FakeBotApi::set_webhook_url(std::string url) {
  std::lock_guard lock(mutex_);
  webhook_url_ = std::move(url);
}

std::string FakeBotApi::webhook_url() const {
  std::lock_guard lock(mutex_);
  return webhook_url_;
}

void FakeBotApi::set_webhook_last_error(int64_t unix_date, std::string message) {
  std::lock_guard lock(mutex_);
  webhook_error_date_ = unix_date;
  webhook_error_message_ = std::move(message);
}

}  // namespace tgscribe::telegram::testing
