#include "common/error.h"

namespace tgscribe {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNetwork:
      return "network";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kRateLimited:
      return "rate_limited";
    case ErrorKind::kServer:
      return "server";
    case ErrorKind::kClient:
      return "client";
    case ErrorKind::kAuth:
      return "auth";
    case ErrorKind::kInvalidInput:
      return "invalid_input";
    case ErrorKind::kCancelled:
      return "cancelled";
    case ErrorKind::kInternal:
      return "internal";
    case ErrorKind::kMediaRejected:
      return "media_rejected";
  }
  return "unknown";
}

}  // namespace tgscribe
