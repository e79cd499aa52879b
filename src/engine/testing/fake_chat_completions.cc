#include "engine/testing/fake_chat_completions.h"

#include <atomic>
#include <ctime>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "engine/testing/fake_http.h"
#include "http/testing/local_server.h"

namespace tgscribe::engine::testing {

using nlohmann::json;

namespace {

json error_json(const std::string& message, const std::string& type, const json& param,
                const json& code) {
  return json{{"error", {{"message", message}, {"type", type}, {"param", param}, {"code", code}}}};
}

// "[12] text" -> (12, "text"); nullopt for other lines.
std::optional<std::pair<int, std::string>> numbered_line(const std::string& line) {
  if (line.size() < 3 || line[0] != '[') return std::nullopt;
  size_t close = line.find(']');
  if (close == std::string::npos || close == 1) return std::nullopt;
  int n = 0;
  for (size_t i = 1; i < close; ++i) {
    if (line[i] < '0' || line[i] > '9' || n > 1'000'000) return std::nullopt;
    n = n * 10 + (line[i] - '0');
  }
  std::string rest = line.substr(close + 1);
  if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
  return std::make_pair(n, rest);
}

}  // namespace

std::string ChatRequest::last(const std::string& role) const {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (it->role == role) return it->content;
  }
  return "";
}

ChatReply ChatReply::answer(std::string text, std::string finish_reason) {
  ChatReply r;
  r.text = std::move(text);
  r.finish_reason = std::move(finish_reason);
  return r;
}

ChatReply ChatReply::error(int status, std::string retry_after, std::string body) {
  ChatReply r;
  r.kind = Kind::kStatus;
  r.status = status;
  r.body = std::move(body);
  if (!retry_after.empty()) r.headers["Retry-After"] = retry_after;
  return r;
}

ChatReply ChatReply::rate_limited(int retry_after_s) {
  const std::string s = std::to_string(retry_after_s);
  return error(429, s,
               error_json("Rate limit reached for model in organization on tokens per minute "
                          "(TPM): Please try again in " +
                              s + "s.",
                          "tokens", nullptr, "rate_limit_exceeded")
                   .dump());
}

ChatReply ChatReply::drop() {
  ChatReply r;
  r.kind = Kind::kDrop;
  return r;
}

int64_t estimate_tokens(const std::string& text) {
  return static_cast<int64_t>((text.size() + 3) / 4);
}

int64_t estimate_tokens(const std::vector<ChatMessage>& messages) {
  int64_t n = 3;
  for (const auto& m : messages) n += 4 + estimate_tokens(m.content);
  return n;
}

std::string default_answer(const ChatRequest& request) {
  const std::string user = request.last("user");
  std::istringstream lines(user);
  std::string out;
  bool numbered = false, other = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    if (auto n = numbered_line(line)) {
      numbered = true;
      // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on "[" + std::to_string(..).
      out += '[';
      out += std::to_string(n->first);
      out += "] T(";
      out += n->second;
      out += ")\n";
    } else {
      other = true;
    }
  }
  if (numbered && !other) return out;
  std::istringstream words(user);
  std::string first;
  int count = 0;
  for (std::string w; count < 8 && words >> w; ++count) first += (first.empty() ? "" : " ") + w;
  return "SUMMARY(" + first + ")";
}

struct FakeChatCompletions::Impl {
  http::testing::LocalServer server;
  mutable std::mutex mutex;
  FakeChatOptions options;       // guarded by mutex
  std::deque<ChatReply> queue;   // guarded by mutex
  Responder responder;           // guarded by mutex
  std::vector<ChatRequest> log;  // guarded by mutex
  std::atomic<int64_t> next_id{1};

  void handle(const httplib::Request& req, httplib::Response& res);
};

void FakeChatCompletions::Impl::handle(const httplib::Request& req, httplib::Response& res) {
  ChatRequest r;
  r.path = req.path;
  r.authorization = req.get_header_value("Authorization");
  FakeChatOptions opts;
  {
    std::lock_guard lock(mutex);
    opts = options;
  }
  int status = 200;
  json error;
  auto refuse = [&](int code, const std::string& why, const std::string& type, const json& param,
                    const json& err_code) {
    r.problems.push_back(why);
    if (status == 200) {
      status = code;
      error = error_json(why, type, param, err_code);
    }
  };
  // The real services' order: auth, then the body, then the context.
  if (!opts.api_key.empty() && r.authorization != "Bearer " + opts.api_key) {
    refuse(401, r.authorization.empty() ? "You didn't provide an API key." : "Invalid API Key",
           "invalid_request_error", nullptr, "invalid_api_key");
  }
  if (opts.api_key.empty() && !r.authorization.empty()) {
    r.problems.push_back("Authorization sent to a server without a key");
  }
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (req.get_header_value("Content-Type").find("application/json") == std::string::npos) {
    refuse(400, "Content-Type must be application/json", "invalid_request_error", nullptr, nullptr);
  }
  if (!body.is_object()) {
    refuse(400, "We could not parse the JSON body of your request.", "invalid_request_error",
           nullptr, nullptr);
    body = json::object();
  }
  if (auto m = body.find("model");
      m != body.end() && m->is_string() && !m->get<std::string>().empty()) {
    r.model = m->get<std::string>();
  } else {
    refuse(400, "you must provide a model parameter", "invalid_request_error", nullptr, nullptr);
  }
  auto msgs = body.find("messages");
  if (msgs == body.end() || !msgs->is_array() || msgs->empty()) {
    refuse(400, "'messages' must contain at least one message", "invalid_request_error", "messages",
           nullptr);
  } else {
    for (const auto& m : *msgs) {
      ChatMessage cm;
      if (m.is_object() && m.contains("role") && m["role"].is_string()) {
        cm.role = m["role"].get<std::string>();
      }
      if (m.is_object() && m.contains("content") && m["content"].is_string()) {
        cm.content = m["content"].get<std::string>();
      } else {
        refuse(400, "each message needs a string 'content'", "invalid_request_error", "messages",
               nullptr);
      }
      if (cm.role != "system" && cm.role != "user" && cm.role != "assistant") {
        refuse(400, "invalid role '" + cm.role + "'", "invalid_request_error", "messages", nullptr);
      }
      r.messages.push_back(std::move(cm));
    }
  }
  if (auto mt = body.find("max_tokens"); mt != body.end()) {
    if (!mt->is_number_integer() || mt->get<int64_t>() < 1) {
      refuse(400, "max_tokens must be a positive integer", "invalid_request_error", "max_tokens",
             nullptr);
    } else {
      r.max_tokens = mt->get<int64_t>();
    }
  }
  if (auto t = body.find("temperature"); t != body.end()) {
    if (!t->is_number() || t->get<double>() < 0 || t->get<double>() > 2) {
      refuse(400, "temperature must be between 0 and 2", "invalid_request_error", "temperature",
             nullptr);
    } else {
      r.temperature = t->get<double>();
    }
  }
  r.prompt_tokens = estimate_tokens(r.messages);
  if (status == 200 && opts.context_tokens > 0 &&
      r.prompt_tokens + r.max_tokens > opts.context_tokens) {
    // OpenAI's exact wording; clients parse N out of it.
    refuse(400,
           "This model's maximum context length is " + std::to_string(opts.context_tokens) +
               " tokens. However, you requested " + std::to_string(r.prompt_tokens + r.max_tokens) +
               " tokens (" + std::to_string(r.prompt_tokens) + " in the messages, " +
               std::to_string(r.max_tokens) +
               " in the completion). Please reduce the length of the messages or completion.",
           "invalid_request_error", "messages", "context_length_exceeded");
  }

  ChatReply reply;
  if (status != 200) {
    reply = ChatReply::error(status, "", error.dump());
  } else {
    Responder fn;
    bool scripted = false;
    {
      std::lock_guard lock(mutex);
      if (!queue.empty()) {
        reply = std::move(queue.front());
        queue.pop_front();
        scripted = true;
      } else {
        fn = responder;
      }
    }
    if (!scripted) reply = fn ? fn(r) : ChatReply::answer(default_answer(r));
  }

  if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
  for (const auto& [k, v] : reply.headers) res.set_header(k, v);
  switch (reply.kind) {
    case ChatReply::Kind::kDrop:
      r.status = 0;
      res.set_chunked_content_provider("application/json",
                                       [](size_t, httplib::DataSink&) { return false; });
      break;
    case ChatReply::Kind::kStatus:
      r.status = reply.status;
      res.status = reply.status;
      res.set_content(
          reply.body.empty() ? openai_error_body("scripted failure", "server_error") : reply.body,
          "application/json");
      break;
    case ChatReply::Kind::kAnswer: {
      r.status = 200;
      const int64_t completion = estimate_tokens(reply.text);
      json answer = {
          {"id", "chatcmpl-fake" + std::to_string(next_id++)},
          {"object", "chat.completion"},
          {"created", static_cast<int64_t>(std::time(nullptr))},
          {"model", opts.model.empty() ? r.model : opts.model},
          {"choices", json::array({{{"index", 0},
                                    {"message", {{"role", "assistant"}, {"content", reply.text}}},
                                    {"logprobs", nullptr},
                                    {"finish_reason", reply.finish_reason}}})},
          {"usage",
           {{"prompt_tokens", r.prompt_tokens},
            {"completion_tokens", completion},
            {"total_tokens", r.prompt_tokens + completion}}}};
      res.status = 200;
      res.set_content(answer.dump(), "application/json");
      break;
    }
  }
  std::lock_guard lock(mutex);
  log.push_back(std::move(r));
}

FakeChatCompletions::FakeChatCompletions(FakeChatOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->server.server().Post(
      R"(.*/chat/completions)",
      [this](const httplib::Request& req, httplib::Response& res) { impl_->handle(req, res); });
}

FakeChatCompletions::~FakeChatCompletions() { impl_->server.stop(); }

void FakeChatCompletions::start() { impl_->server.start(); }
std::string FakeChatCompletions::url() const { return url_with_prefix("/v1"); }
ChatCompletionsSettings FakeChatCompletions::settings(int64_t context_tokens) const {
  ChatCompletionsSettings s;
  s.provider = "groq";
  s.base_url = url();
  {
    std::lock_guard lock(impl_->mutex);
    s.api_key = impl_->options.api_key;
  }
  s.model = "llama-3.1-8b-instant";
  s.context_tokens = context_tokens;
  s.timeout = std::chrono::seconds(5);
  return s;
}
std::string FakeChatCompletions::url_with_prefix(const std::string& prefix) const {
  return impl_->server.url() + prefix;
}

std::vector<ChatRequest> FakeChatCompletions::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->log;
}

void FakeChatCompletions::clear_requests() {
  std::lock_guard lock(impl_->mutex);
  impl_->log.clear();
}

void FakeChatCompletions::script_next(ChatReply reply) {
  std::lock_guard lock(impl_->mutex);
  impl_->queue.push_back(std::move(reply));
}

void FakeChatCompletions::set_responder(Responder responder) {
  std::lock_guard lock(impl_->mutex);
  impl_->responder = std::move(responder);
}

void FakeChatCompletions::set_context_tokens(int64_t tokens) {
  std::lock_guard lock(impl_->mutex);
  impl_->options.context_tokens = tokens;
}

}  // namespace tgscribe::engine::testing
