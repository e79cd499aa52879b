#pragma once
// TextModel over an OpenAI-compatible POST <base_url>/chat/completions (Groq, OpenAI, Ollama,
// llama.cpp's server, vLLM), through the project's HTTP client. Errors become the kinds the
// retry loop understands (429 -> kRateLimited with Retry-After, 5xx -> kServer, 401/403 ->
// kAuth); a context-length refusal lowers context_tokens() to the limit it names and throws
// ContextTooLong.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "engine/text_model.h"
#include "http/http_client.h"

namespace tgscribe::engine {

struct ChatCompletionsSettings {
  std::string provider = "custom";  // "groq", "openai", "custom": logs, metrics, errors
  std::string base_url;             // e.g. "https://api.groq.com/openai/v1"
  std::string api_key;              // empty: no Authorization header (self-hosted servers)
  std::string model;
  int64_t context_tokens = 8192;               // LLM_CONTEXT_TOKENS: prompt + answer
  std::chrono::milliseconds timeout{120'000};  // one request, connection to last byte
};

class ChatCompletionsClient : public TextModel {
 public:
  ChatCompletionsClient(ChatCompletionsSettings settings, std::shared_ptr<http::HttpClient> http);
  const std::string& provider() const override { return settings_.provider; }
  const std::string& model() const override { return settings_.model; }
  int64_t context_tokens() const override { return context_tokens_.load(); }
  Completion complete(const CompletionRequest& request) override;

 private:
  // Lowers the context to `limit` (never raises it): concurrent calls may learn at once.
  void learn_limit(int64_t limit);

  ChatCompletionsSettings settings_;
  std::shared_ptr<http::HttpClient> http_;
  std::atomic<int64_t> context_tokens_;
};

// The context limit an endpoint's refusal names, 0 when none: OpenAI/Groq/vLLM's "maximum
// context length is N tokens", llama.cpp's "n_ctx": N, Groq's per-request token cap
// ("Request too large ... Limit N, Requested M"). Exposed for tests.
int64_t context_limit_in(std::string_view error_body);

// Whether a non-2xx answer refuses the prompt as too long for the model (see above).
bool is_context_length_error(long status, std::string_view error_body);

// Maps a chat.completion answer; throws tgscribe::Error(kServer) when it is not one.
Completion parse_chat_completion(const std::string& body);

}  // namespace tgscribe::engine
