#include "pipeline/result_cache.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "common/metrics.h"
#include "common/strings.h"

namespace tgscribe::pipeline {
namespace {

// What make_transcriber() resolves a TRANSCRIBER / TRANSCRIBER_FALLBACK name to.
std::string resolve_engine_name(const config::Config& config, const std::string& requested) {
  std::string name = to_lower(trim(requested));
  if (name == "auto" || name.empty()) name = to_lower(trim(config.primary_engine()));
  if (name == "auto") name = "sphinx";
  return name;
}

// The model each engine reports in its caps; a test holds these to the real engines.
std::optional<std::string> configured_model(const config::Config& config, const std::string& name) {
  if (name == "groq") return config.groq_model;
  if (name == "openai") return config.openai_model;
  if (name == "deepgram") return config.deepgram_model;
  if (name == "sphinx") return std::string("en-us");  // the one acoustic model it loads
  return std::nullopt;
}

void describe_metrics() {
  static const bool once = [] {
    metrics::Registry::global().describe(
        "cache_errors_total", "counter",
        "Transcript cache operations that failed and were skipped (the job went on), by op");
    return true;
  }();
  (void)once;
}

}  // namespace

std::vector<EngineId> configured_engines(const config::Config& config) {
  std::vector<std::string> names = {config.primary_engine()};
  names.insert(names.end(), config.transcriber_fallback.begin(), config.transcriber_fallback.end());
  std::vector<EngineId> engines;
  for (const auto& requested : names) {
    std::string name = resolve_engine_name(config, requested);
    auto model = configured_model(config, name);
    if (!model) continue;
    EngineId id{name, *model};
    if (std::find(engines.begin(), engines.end(), id) == engines.end()) engines.push_back(id);
  }
  return engines;
}

std::string normalized_language(const std::string& language) {
  std::string l = to_lower(trim(language));
  return l == "auto" ? std::string() : l;
}

bool can_diarize(const EngineId& engine) { return engine.name == "deepgram"; }

ResultCache::ResultCache(const config::Config& config, store::TranscriptCache* cache)
    : ResultCache(configured_engines(config), cache) {}

ResultCache::ResultCache(std::vector<EngineId> engines, store::TranscriptCache* cache)
    : engines_(std::move(engines)), cache_(cache) {
  describe_metrics();
}

std::string ResultCache::content_key(const std::string& sha256, const EngineId& engine,
                                     const std::string& language, bool translate, bool diarize) {
  // Plain keys are what they always were: entries cached before diarization still answer.
  return store::make_content_key(sha256, engine.name, engine.model, normalized_language(language),
                                 translate) +
         (diarize && can_diarize(engine) ? "|diarize" : "");
}

std::string ResultCache::primary_key(const std::string& sha256, const std::string& language,
                                     bool translate, bool diarize) const {
  return engines_.empty() ? sha256
                          : content_key(sha256, engines_.front(), language, translate, diarize);
}

std::optional<transcript::Transcript> ResultCache::lookup_file(const std::string& file_unique_id,
                                                               const std::string& language,
                                                               bool translate, bool diarize) {
  if (!cache_ || file_unique_id.empty()) return std::nullopt;
  std::optional<std::string> sha;
  try {
    sha = cache_->sha_for_file(file_unique_id);
  } catch (const std::exception& e) {
    failed("sha_for_file", e);
    return std::nullopt;
  }
  if (!sha) return std::nullopt;
  return lookup_content(*sha, language, translate, diarize);
}

std::optional<transcript::Transcript> ResultCache::lookup_content(const std::string& sha256,
                                                                  const std::string& language,
                                                                  bool translate, bool diarize) {
  if (!cache_ || sha256.empty()) return std::nullopt;
  for (const auto& engine : engines_) {
    std::vector<std::string> keys = {content_key(sha256, engine, language, translate, diarize)};
    // A plain request is answered by a diarized transcript as well (the bot hides its speaker
    // labels): one engine request fewer; the other way round would lose the labels.
    if (!diarize && can_diarize(engine)) {
      keys.push_back(content_key(sha256, engine, language, translate, true));
    }
    for (const auto& key : keys) {
      try {
        if (auto hit = cache_->get(key)) return hit;
      } catch (const std::exception& e) {
        // The other keys live in the same store: one failure is enough to know.
        failed("get", e);
        return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

void ResultCache::remember_file(const std::string& file_unique_id, const std::string& sha256,
                                int64_t user_id) {
  if (!cache_ || file_unique_id.empty() || sha256.empty()) return;
  try {
    cache_->put_file(file_unique_id, sha256, user_id);
  } catch (const std::exception& e) {
    failed("put_file", e);
  }
}

void ResultCache::store(const std::string& sha256, const transcript::Transcript& t,
                        const EngineId& producer, const std::string& language, bool translate,
                        int64_t user_id, bool diarize) {
  if (!cache_ || sha256.empty()) return;
  try {
    cache_->put(content_key(sha256, producer, language, translate, diarize), t, user_id);
  } catch (const std::exception& e) {
    failed("put", e);
  }
}

void ResultCache::failed(const char* op, const std::exception& e) const {
  spdlog::warn("transcript cache: {} failed, going on without it: {}", op, e.what());
  metrics::Registry::global().counter_add("cache_errors_total", {{"op", op}});
}

}  // namespace tgscribe::pipeline
