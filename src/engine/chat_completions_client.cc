#include "engine/chat_completions_client.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "common/json_fields.h"
#include "common/metrics.h"
#include "common/strings.h"
#include "engine/engine_response.h"

namespace tgscribe::engine {
namespace {

using nlohmann::json;

int64_t first_number(std::string_view text, const std::regex& re) {
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_search(text.begin(), text.end(), m, re)) return 0;
  try {
    return std::stoll(m[1].str());
  } catch (...) {
    return 0;
  }
}

}  // namespace

int64_t context_limit_in(std::string_view body) {
  static const std::regex openai(R"(maximum context length is (\d+))", std::regex::icase);
  static const std::regex llama_cpp(R"re("n_ctx"\s*:\s*(\d+))re");
  static const std::regex groq_tpm(R"(Request too large[^"]*?Limit (\d+))", std::regex::icase);
  if (int64_t n = first_number(body, openai)) return n;
  if (int64_t n = first_number(body, llama_cpp)) return n;
  return first_number(body, groq_tpm);
}

bool is_context_length_error(long status, std::string_view body) {
  if (status != 400 && status != 413) return false;
  auto has = [&](std::string_view s) { return body.find(s) != std::string_view::npos; };
  // Groq refuses one request larger than the tokens-per-minute limit with 413 "Request too
  // large": no retry can pass it, only a smaller prompt.
  return has("context_length_exceeded") || has("maximum context length") ||
         has("exceed_context_size_error") || has("context size") ||
         (status == 413 && has("Request too large"));
}

Completion parse_chat_completion(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("choices") || !j["choices"].is_array() ||
      j["choices"].empty() || !j["choices"][0].is_object()) {
    // The body is not echoed: it may be an HTML error page or contain our input.
    throw Error(ErrorKind::kServer, "unreadable chat completion answer");
  }
  const json& choice = j["choices"][0];
  Completion c;
  const json* msg = object_field(choice, "message");
  if (!msg) {
    throw Error(ErrorKind::kServer, "chat completion answer without a message");
  }
  c.text = string_field(*msg, "content");
  c.model = string_field(j, "model");
  if (const json* u = object_field(j, "usage")) {
    c.prompt_tokens = static_cast<int64_t>(number_field_or(*u, "prompt_tokens", 0));
    c.completion_tokens = static_cast<int64_t>(number_field_or(*u, "completion_tokens", 0));
  }
  if (string_field(choice, "finish_reason") == "length") {
    // The answer hit max_tokens: kept (a summary cut short beats none), but worth a look.
    spdlog::warn("chat completion cut at max_tokens ({} completion tokens)", c.completion_tokens);
  }
  return c;
}

ChatCompletionsClient::ChatCompletionsClient(ChatCompletionsSettings settings,
                                             std::shared_ptr<http::HttpClient> http)
    : settings_(std::move(settings)),
      http_(std::move(http)),
      context_tokens_(settings_.context_tokens) {
  settings_.base_url = without_trailing_slashes(settings_.base_url);
}

void ChatCompletionsClient::learn_limit(int64_t limit) {
  if (limit <= 0) return;
  int64_t cur = context_tokens_.load();
  while (limit < cur && !context_tokens_.compare_exchange_weak(cur, limit)) {
  }
  if (limit < cur) {
    spdlog::info("{} {}: context is {} tokens (learned from the endpoint)", settings_.provider,
                 settings_.model, limit);
  }
}

Completion ChatCompletionsClient::complete(const CompletionRequest& request) {
  if (request.cancelled && request.cancelled()) throw Error(ErrorKind::kCancelled, "cancelled");
  json messages = json::array();
  for (const auto& turn : request.messages) {
    messages.push_back({{"role", turn.role}, {"content", turn.content}});
  }
  json body = {{"model", settings_.model},
               {"messages", std::move(messages)},
               {"max_tokens", std::max(1, request.max_tokens)},
               {"temperature", request.temperature}};

  http::Request req;
  req.method = "POST";
  req.url = settings_.base_url + "/chat/completions";
  req.timeout = settings_.timeout;
  req.cancelled = request.cancelled;
  req.max_body_bytes = 8'000'000;  // an answer is at most max_tokens; this is a wide bound
  if (!settings_.api_key.empty()) {
    req.headers.emplace_back("Authorization", "Bearer " + settings_.api_key);
  }
  req.headers.emplace_back("Content-Type", "application/json");
  req.headers.emplace_back("Accept", "application/json");
  // Invalid UTF-8 in a transcript must not throw from dump(): replaced, not refused.
  req.body = body.dump(-1, ' ', false, json::error_handler_t::replace);

  const std::string what = settings_.provider + " /chat/completions";
  http::Response res = http_->send(req);
  if (res.status < 200 || res.status >= 300) {
    if (is_context_length_error(res.status, res.body)) {
      const int64_t limit = context_limit_in(res.body);
      learn_limit(limit);
      throw ContextTooLong(
          what + ": prompt longer than the model's context: " + endpoint_message(res.body), limit);
    }
    Error e = response_error(res, what);
    std::string detail = e.what();
    // The endpoint's reason helps with a wrong model name or parameter; it is redacted and
    // cut short. Not for auth errors: some servers echo the key they refused.
    if (e.kind() == ErrorKind::kClient) {
      if (auto m = endpoint_message(res.body); !m.empty()) detail += ": " + m;
    }
    // Groq's 498 (flex tier over capacity) passes like a 503.
    ErrorKind kind = res.status == 498 ? ErrorKind::kServer : e.kind();
    throw Error(kind, detail, e.retry_after());
  }
  Completion c = parse_answer(res, what, parse_chat_completion);
  if (c.model.empty()) c.model = settings_.model;
  auto& m = metrics::Registry::global();
  m.counter_add("llm_requests_total", {{"provider", settings_.provider}});
  m.counter_add("llm_tokens_total", {{"provider", settings_.provider}, {"kind", "prompt"}},
                static_cast<double>(c.prompt_tokens));
  m.counter_add("llm_tokens_total", {{"provider", settings_.provider}, {"kind", "completion"}},
                static_cast<double>(c.completion_tokens));
  return c;
}

}  // namespace tgscribe::engine
