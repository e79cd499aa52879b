#include "engine/text_model_factory.h"

#include <algorithm>

#include "common/error.h"
#include "engine/chat_completions_client.h"
#include "engine/retrying_text_model.h"
#include "http/curl_http_client.h"

namespace tgscribe::engine {

std::unique_ptr<TextModel> make_text_model(const config::Config& config,
                                           std::shared_ptr<http::HttpClient> http) {
  auto endpoint = config.llm_endpoint();
  if (!endpoint) return nullptr;
  if (endpoint->model.empty()) {
    throw Error(ErrorKind::kInvalidInput,
                "text model at a self-hosted LLM_API_URL needs LLM_MODEL");
  }
  if (!http) http = std::make_shared<http::CurlHttpClient>();
  ChatCompletionsSettings s;
  s.provider = endpoint->provider;
  s.base_url = endpoint->url;
  s.api_key = endpoint->api_key;
  s.model = endpoint->model;
  s.context_tokens = endpoint->context_tokens;
  s.timeout = std::chrono::seconds(std::max(1, config.llm_timeout_s));
  RetryPolicy policy;
  policy.max_retries = std::max(0, config.engine_max_retries);
  return std::make_unique<RetryingTextModel>(
      std::make_shared<ChatCompletionsClient>(std::move(s), std::move(http)), policy);
}

}  // namespace tgscribe::engine
