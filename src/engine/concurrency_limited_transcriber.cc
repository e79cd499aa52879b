#include "engine/concurrency_limited_transcriber.h"

#include <algorithm>
#include <chrono>

#include "common/error.h"

namespace tgscribe::engine {

ConcurrencyLimitedTranscriber::ConcurrencyLimitedTranscriber(std::shared_ptr<Transcriber> inner)
    : inner_(std::move(inner)), limit_(std::max(1, inner_->caps().max_concurrency)) {}

int ConcurrencyLimitedTranscriber::in_flight() const {
  std::lock_guard lock(mutex_);
  return in_flight_;
}

transcript::Transcript ConcurrencyLimitedTranscriber::transcribe(const AudioFile& audio,
                                                                 const TranscribeOptions& options) {
  {
    std::unique_lock lock(mutex_);
    while (in_flight_ >= limit_) {
      // Wake up now and then to notice a cancelled job waiting for a slot.
      freed_.wait_for(lock, std::chrono::milliseconds(200));
      if (options.cancelled && options.cancelled()) {
        throw Error(ErrorKind::kCancelled, "cancelled");
      }
    }
    ++in_flight_;
  }
  struct Release {
    ConcurrencyLimitedTranscriber* self;
    ~Release() {
      {
        std::lock_guard lock(self->mutex_);
        --self->in_flight_;
      }
      self->freed_.notify_one();
    }
  } release{this};
  return inner_->transcribe(audio, options);
}

}  // namespace tgscribe::engine
