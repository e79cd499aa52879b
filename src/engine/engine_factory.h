#pragma once
// Builds engines from the configuration: cloud engines wrapped in retries, one shared HTTP
// client (so connections are reused across engines and chunks).
#include <memory>
#include <string>
#include <vector>

#include "common/rate_budget.h"
#include "config/config.h"
#include "engine/transcriber.h"
#include "http/http_client.h"

namespace tgscribe::engine {

// name: groq|openai|deepgram|sphinx ("auto" resolves through Config::primary_engine()).
// Throws tgscribe::Error(kInvalidInput) for an unknown name or a missing API key. `http` may
// be null: a libcurl client is created. Cloud engines are paced (engine/pacer.h) within
// `budget`, shared by everything given the same one; null: a budget of their own, in memory.
std::shared_ptr<Transcriber> make_transcriber(const config::Config& config, const std::string& name,
                                              std::shared_ptr<http::HttpClient> http = nullptr,
                                              std::shared_ptr<RateBudget> budget = nullptr);

// The primary engine then each TRANSCRIBER_FALLBACK engine (duplicates dropped), in order.
std::vector<std::shared_ptr<Transcriber>> make_engine_chain(
    const config::Config& config, std::shared_ptr<http::HttpClient> http = nullptr,
    std::shared_ptr<RateBudget> budget = nullptr);

}  // namespace tgscribe::engine
