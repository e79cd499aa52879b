#include "engine/engine_factory.h"

#include <algorithm>
#include <chrono>

#include "common/error.h"
#include "common/strings.h"
#include "engine/concurrency_limited_transcriber.h"
#include "engine/deepgram_transcriber.h"
#include "engine/openai_compatible_transcriber.h"
#include "engine/paced_transcriber.h"
#include "engine/retrying_transcriber.h"
#include "http/curl_http_client.h"
#if __has_include("engine/sphinx_transcriber.h")
#include "engine/sphinx_transcriber.h"
#define TGSCRIBE_HAVE_SPHINX 1
#endif

namespace tgscribe::engine {
namespace {

std::shared_ptr<Transcriber> with_retries(const config::Config& config,
                                          std::shared_ptr<Transcriber> inner,
                                          std::shared_ptr<RateBudget> budget) {
  RetryPolicy policy;
  policy.max_retries = std::max(0, config.engine_max_retries);
  // Pacing right around the request, inside the slot: a request is granted its share of the
  // rate budget only when it is about to be sent (the server counts it from then on), and
  // every retry is paced too.
  const EngineCaps& caps = inner->caps();
  auto pacer =
      std::make_shared<Pacer>(pacer_limits(config, caps.name, caps.min_billed_s),
                              budget ? std::move(budget) : std::make_shared<MemoryRateBudget>());
  inner = std::make_shared<PacedTranscriber>(std::move(inner), std::move(pacer));
  // Retries outside the limit: a request waiting out a Retry-After does not hold a slot.
  return std::make_shared<RetryingTranscriber>(
      std::make_shared<ConcurrencyLimitedTranscriber>(std::move(inner)), policy);
}

bool is_official_openai(const std::string& url) {
  return url.find("api.openai.com") != std::string::npos;
}

}  // namespace

std::shared_ptr<Transcriber> make_transcriber(const config::Config& config,
                                              const std::string& requested,
                                              std::shared_ptr<http::HttpClient> http,
                                              std::shared_ptr<RateBudget> budget) {
  std::string name = to_lower(trim(requested));
  if (name == "auto" || name.empty()) name = config.primary_engine();
  if (name == "auto") name = "sphinx";
  if (!http && name != "sphinx") http = std::make_shared<http::CurlHttpClient>();
  const std::chrono::milliseconds timeout(std::max(1, config.engine_timeout_s) * 1000LL);
  const http::StallLimit stall{config.transfer_stall_s > 0 ? 1'000 : 0,
                               std::chrono::seconds(config.transfer_stall_s)};
  const int64_t upload_rate = int64_t{config.transfer_min_rate_kbps} * 1000;

  if (name == "groq" || name == "openai") {
    OpenAiCompatibleSettings s;
    s.name = name;
    if (name == "groq") {
      if (config.groq_api_key.empty()) {
        throw Error(ErrorKind::kInvalidInput, "engine groq needs GROQ_API_KEY");
      }
      s.base_url = config.groq_api_url;
      s.api_key = config.groq_api_key;
      s.model = config.groq_model;
    } else {
      // Self-hosted OpenAI-compatible servers usually need no key; OpenAI itself does.
      if (config.openai_api_key.empty() && is_official_openai(config.openai_api_url)) {
        throw Error(ErrorKind::kInvalidInput,
                    "engine openai needs OPENAI_API_KEY (or OPENAI_API_URL of a self-hosted "
                    "server)");
      }
      s.base_url = config.openai_api_url;
      s.api_key = config.openai_api_key;
      s.model = config.openai_model;
    }
    s.max_upload_bytes = config.max_upload_bytes(name);
    s.max_concurrency = config.engine_concurrency;
    s.timeout = timeout;
    s.stall = stall;
    s.min_upload_rate_bytes_per_s = upload_rate;
    return with_retries(config, std::make_shared<OpenAiCompatibleTranscriber>(s, std::move(http)),
                        std::move(budget));
  }
  if (name == "deepgram") {
    if (config.deepgram_api_key.empty()) {
      throw Error(ErrorKind::kInvalidInput, "engine deepgram needs DEEPGRAM_API_KEY");
    }
    DeepgramSettings s;
    s.base_url = config.deepgram_api_url;
    s.api_key = config.deepgram_api_key;
    s.model = config.deepgram_model;
    s.max_upload_bytes = config.max_upload_bytes(name);
    s.max_concurrency = config.engine_concurrency;
    s.timeout = timeout;
    s.stall = stall;
    s.min_upload_rate_bytes_per_s = upload_rate;
    return with_retries(config, std::make_shared<DeepgramTranscriber>(s, std::move(http)),
                        std::move(budget));
  }
  if (name == "sphinx") {
#ifdef TGSCRIBE_HAVE_SPHINX
    return std::make_shared<SphinxTranscriber>(config.sphinx_model_dir);
#else
    throw Error(ErrorKind::kInvalidInput, "engine sphinx is not built in");
#endif
  }
  throw Error(ErrorKind::kInvalidInput,
              "unknown engine \"" + requested + "\" (groq, openai, deepgram, sphinx)");
}

std::vector<std::shared_ptr<Transcriber>> make_engine_chain(const config::Config& config,
                                                            std::shared_ptr<http::HttpClient> http,
                                                            std::shared_ptr<RateBudget> budget) {
  if (!http) http = std::make_shared<http::CurlHttpClient>();
  if (!budget) budget = std::make_shared<MemoryRateBudget>();
  std::vector<std::string> names = {config.primary_engine()};
  for (const auto& f : config.transcriber_fallback) {
    std::string n = to_lower(trim(f));
    if (n == "auto") n = config.primary_engine();
    if (!n.empty() && std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  std::vector<std::shared_ptr<Transcriber>> chain;
  for (const auto& n : names) chain.push_back(make_transcriber(config, n, http, budget));
  return chain;
}

}  // namespace tgscribe::engine
