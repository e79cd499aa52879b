#include "engine/metered_transcriber.h"

#include <filesystem>

namespace tgscribe::engine {

MeteredTranscriber::MeteredTranscriber(std::shared_ptr<Transcriber> inner, BillingRule rule,
                                       UsageSink& sink)
    : inner_(std::move(inner)), rule_(rule), sink_(sink) {}

transcript::Transcript MeteredTranscriber::transcribe(const AudioFile& audio,
                                                      const TranscribeOptions& options) {
  transcript::Transcript t = inner_->transcribe(audio, options);
  UsageRecord r;
  r.user_id = options.user_id;
  r.engine = inner_->caps().name;
  r.model = inner_->caps().model;
  r.audio_s = std::max(0.0, audio.info.duration_s);
  r.billed_s = billed_seconds(rule_, r.audio_s);
  if (inner_->caps().uploads) {
    // What went over the wire: the file as sent (the probe's size may be of the original).
    std::error_code ec;
    auto size = std::filesystem::file_size(audio.path, ec);
    r.bytes = ec ? audio.info.size_bytes : static_cast<int64_t>(size);
  }
  r.cost_usd = cost_usd(rule_, r.billed_s);
  sink_.record(r);
  return t;
}

std::vector<std::shared_ptr<Transcriber>> metered(std::vector<std::shared_ptr<Transcriber>> chain,
                                                  const config::Config& config, UsageSink& sink) {
  for (auto& e : chain) {
    e = std::make_shared<MeteredTranscriber>(e, billing_rule(e->caps().name, config), sink);
  }
  return chain;
}

}  // namespace tgscribe::engine
