#include "config/config.h"

namespace tgscribe::config {

std::string Config::primary_engine() const {
  if (transcriber != "auto") return transcriber;
  if (!groq_api_key.empty()) return "groq";
  if (!openai_api_key.empty()) return "openai";
  if (!deepgram_api_key.empty()) return "deepgram";
  return "sphinx";
}

int64_t Config::max_upload_bytes(const std::string& engine) const {
  if (api_max_upload_mb) return static_cast<int64_t>(*api_max_upload_mb * 1e6);
  if (engine == "deepgram") return 2'000'000'000;
  return 25'000'000;  // groq free tier, openai
}

std::optional<LlmEndpoint> Config::llm_endpoint() const {
  LlmEndpoint e;
  if (llm_api_url == "off") return std::nullopt;
  if (!llm_api_url.empty()) {
    e.url = llm_api_url;
    e.provider = llm_api_url.find("api.groq.com") != std::string::npos     ? "groq"
                 : llm_api_url.find("api.openai.com") != std::string::npos ? "openai"
                                                                           : "custom";
  } else if (!groq_api_key.empty()) {
    e.provider = "groq";
    e.url = "https://api.groq.com/openai/v1";
  } else if (!openai_api_key.empty()) {
    e.provider = "openai";
    e.url = "https://api.openai.com/v1";
  } else {
    return std::nullopt;
  }
  // A self-hosted server never gets the cloud engines' keys.
  e.api_key = !llm_api_key.empty()     ? llm_api_key
              : e.provider == "groq"   ? groq_api_key
              : e.provider == "openai" ? openai_api_key
                                       : "";
  // Small, fast, current models: llama-3.1-8b-instant is a Groq production model (131k
  // context); gpt-4o-mini is OpenAI's small model (128k context).
  e.model = !llm_model.empty()       ? llm_model
            : e.provider == "groq"   ? "llama-3.1-8b-instant"
            : e.provider == "openai" ? "gpt-4o-mini"
                                     : "";
  // Groq's free plan refuses one request over the model's tokens per minute (6,000 for
  // llama-3.1-8b-instant) whatever the context window; a self-hosted server's context is
  // often small (llama.cpp and Ollama default to 4,096), and Ollama cuts longer prompts
  // silently instead of refusing them.
  e.context_tokens = llm_context_tokens > 0   ? llm_context_tokens
                     : e.provider == "groq"   ? 6'000
                     : e.provider == "openai" ? 128'000
                                              : 4'096;
  return e;
}

}  // namespace tgscribe::config
