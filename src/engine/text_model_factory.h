#pragma once
// Builds the text model (summaries, translations) from the configuration: a chat-completions
// client for Config::llm_endpoint(), wrapped in the engines' retries.
#include <memory>

#include "config/config.h"
#include "engine/text_model.h"
#include "http/http_client.h"

namespace tgscribe::engine {

// nullptr when no text model is configured (LLM_API_URL=off, or no LLM_API_URL and neither
// GROQ_API_KEY nor OPENAI_API_KEY). Retries: ENGINE_MAX_RETRIES, Retry-After honoured up to
// 120 s; each request times out after LLM_TIMEOUT_S. `http` may be null: a libcurl client is
// created. Throws tgscribe::Error(kInvalidInput) when the endpoint has no model name.
std::unique_ptr<TextModel> make_text_model(const config::Config& config,
                                           std::shared_ptr<http::HttpClient> http = nullptr);

}  // namespace tgscribe::engine
