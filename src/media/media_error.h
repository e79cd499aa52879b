#pragma once
// Why a media input was rejected. Every kind maps to exit code 3 in the CLI and to a plain
// message in the bot.
#include <stdexcept>
#include <string>

namespace tgscribe::media {

enum class RejectReason {
  kEmpty,        // zero bytes
  kNotMedia,     // no demuxer recognises it
  kNoAudio,      // a container without an audio stream
  kCorrupt,      // truncated or undecodable
  kTooLong,      // duration over MAX_DURATION_S
  kTooLarge,     // size over MAX_FILE_SIZE_MB
  kBlocked,      // playlist, concat, image sequence, protocol reference...: never opened
  kUnsupported,  // recognised, but no decoder for the codec
};

const char* to_string(RejectReason reason);

class MediaRejected : public std::runtime_error {
 public:
  MediaRejected(RejectReason reason, const std::string& detail)
      : std::runtime_error(detail), reason_(reason) {}
  RejectReason reason() const { return reason_; }

 private:
  RejectReason reason_;
};

}  // namespace tgscribe::media
