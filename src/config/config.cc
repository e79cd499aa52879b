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

}  // namespace tgscribe::config
