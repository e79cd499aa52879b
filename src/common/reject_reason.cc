#include "common/reject_reason.h"

namespace tgscribe {

const char* to_string(RejectReason reason) {
  switch (reason) {
    case RejectReason::kEmpty:
      return "empty file";
    case RejectReason::kNotMedia:
      return "not an audio or video file";
    case RejectReason::kNoAudio:
      return "no audio stream";
    case RejectReason::kCorrupt:
      return "truncated or corrupt media";
    case RejectReason::kTooLong:
      return "too long";
    case RejectReason::kTooLarge:
      return "too large";
    case RejectReason::kBlocked:
      return "blocked for safety";
    case RejectReason::kUnsupported:
      return "unsupported codec";
  }
  return "rejected";
}

}  // namespace tgscribe
