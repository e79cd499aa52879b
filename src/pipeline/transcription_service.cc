#include "pipeline/transcription_service.h"

#include <spdlog/spdlog.h>

#include "common/error.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "media/media_error.h"

namespace tgscribe::pipeline {

TranscriptionService::TranscriptionService(const config::Config& config,
                                           std::vector<std::shared_ptr<engine::Transcriber>> chain,
                                           store::TranscriptCache* cache)
    : config_(config), chain_(std::move(chain)), cache_(cache) {
  if (chain_.empty()) throw Error(ErrorKind::kInternal, "no transcription engine configured");
}

namespace {
std::string normalized_language(const std::string& lang) {
  std::string l = to_lower(trim(lang));
  return l == "auto" ? std::string() : l;
}
}  // namespace

std::string TranscriptionService::content_key(const std::string& sha256,
                                              const Request& request) const {
  const auto& caps = chain_.front()->caps();
  return store::make_content_key(sha256, caps.name, caps.model,
                                 normalized_language(request.language), request.translate);
}

Result TranscriptionService::transcribe(const Request& request) {
  auto report = [&](const char* stage, double fraction) {
    if (request.progress) request.progress(Progress{stage, fraction, 0, 0});
  };
  report("probing", 0);
  media::MediaLimits limits{static_cast<int64_t>(config_.max_file_size_mb * 1e6),
                            config_.max_duration_s};
  Result result;
  result.info = media::probe_file(request.path, limits);

  std::string key;
  if (cache_ && request.use_cache) {
    result.sha256 = request.sha256.empty() ? sha256_file(request.path.string()) : request.sha256;
    key = content_key(result.sha256, request);
    if (auto hit = cache_->get(key)) {
      result.transcript = std::move(*hit);
      result.cache_hit = true;
      report("transcribing", 1);
      return result;
    }
  }

  std::vector<std::string> failures;
  for (const auto& engine : chain_) {
    if (request.cancelled && request.cancelled()) throw Error(ErrorKind::kCancelled, "cancelled");
    try {
      result.transcript = run_engine(*engine, request, result.info);
      if (result.transcript.duration <= 0) result.transcript.duration = result.info.duration_s;
      if (cache_ && request.use_cache) cache_->put(key, result.transcript, request.user_id);
      report("transcribing", 1);
      return result;
    } catch (const media::MediaRejected&) {
      throw;  // the input is bad for every engine
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::kCancelled) throw;
      spdlog::warn("engine {} failed: {} ({})", engine->caps().name, e.what(), to_string(e.kind()));
      failures.push_back(engine->caps().name + ": " + e.what());
    }
  }
  std::string all;
  for (const auto& f : failures) all += (all.empty() ? "" : "; ") + f;
  throw Error(ErrorKind::kServer, "transcription failed (" + all + ")");
}

transcript::Transcript TranscriptionService::run_engine(engine::Transcriber& engine,
                                                        const Request& request,
                                                        const media::MediaInfo& info) {
  engine::AudioFile audio;
  audio.path = request.path;
  audio.filename = request.filename.empty() ? request.path.filename().string() : request.filename;
  audio.info = info;
  engine::TranscribeOptions options;
  options.language = normalized_language(request.language);
  options.translate = request.translate;
  options.prompt = request.prompt;
  options.word_timestamps = request.word_timestamps;
  options.cancelled = request.cancelled;
  if (request.progress) {
    options.progress = [&](double f) { request.progress(Progress{"transcribing", f, 0, 1}); };
  }
  return engine.transcribe(audio, options);
}

}  // namespace tgscribe::pipeline
