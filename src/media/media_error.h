#pragma once
// A refused media input. The reason and the error kind live in common/ (tgscribe::Error with
// kind kMediaRejected), so code above the pipeline catches tgscribe::Error and never needs this
// header; media/ throws this subclass so its throw sites and tests read as before.
#include <string>

#include "common/error.h"
#include "common/reject_reason.h"

namespace tgscribe::media {

using tgscribe::RejectReason;

class MediaRejected : public Error {
 public:
  MediaRejected(RejectReason reason, const std::string& detail) : Error(reason, detail) {}
  RejectReason reason() const { return *reject_reason(); }
};

}  // namespace tgscribe::media
