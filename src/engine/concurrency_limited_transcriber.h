#pragma once
// At most caps().max_concurrency requests in flight to one engine across the whole process:
// chunks of one job and jobs of several bot workers share the engine's budget (Groq and
// Deepgram answer 429 beyond their concurrency, and a local Whisper server runs out of memory).
#include <condition_variable>
#include <memory>
#include <mutex>

#include "engine/transcriber.h"

namespace tgscribe::engine {

class ConcurrencyLimitedTranscriber : public Transcriber {
 public:
  explicit ConcurrencyLimitedTranscriber(std::shared_ptr<Transcriber> inner);
  const EngineCaps& caps() const override { return inner_->caps(); }
  // Waits for a free slot (giving up with kCancelled when options.cancelled says so).
  transcript::Transcript transcribe(const AudioFile& audio,
                                    const TranscribeOptions& options) override;
  int in_flight() const;

 private:
  std::shared_ptr<Transcriber> inner_;
  const int limit_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  int in_flight_ = 0;  // guarded by mutex_
};

}  // namespace tgscribe::engine
