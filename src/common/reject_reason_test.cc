#include "common/reject_reason.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/error.h"

namespace tgscribe {
namespace {

const RejectReason kAll[] = {RejectReason::kEmpty,   RejectReason::kNotMedia,
                             RejectReason::kNoAudio, RejectReason::kCorrupt,
                             RejectReason::kTooLong, RejectReason::kTooLarge,
                             RejectReason::kBlocked, RejectReason::kUnsupported};

// The CLI prints these after "rejected: "; they are the texts media/ had before the move.
TEST(RejectReason, EveryReasonHasItsOwnText) {
  EXPECT_STREQ(to_string(RejectReason::kEmpty), "empty file");
  EXPECT_STREQ(to_string(RejectReason::kNotMedia), "not an audio or video file");
  EXPECT_STREQ(to_string(RejectReason::kNoAudio), "no audio stream");
  EXPECT_STREQ(to_string(RejectReason::kCorrupt), "truncated or corrupt media");
  EXPECT_STREQ(to_string(RejectReason::kTooLong), "too long");
  EXPECT_STREQ(to_string(RejectReason::kTooLarge), "too large");
  EXPECT_STREQ(to_string(RejectReason::kBlocked), "blocked for safety");
  EXPECT_STREQ(to_string(RejectReason::kUnsupported), "unsupported codec");
  std::set<std::string> texts;
  for (RejectReason r : kAll) texts.insert(to_string(r));
  EXPECT_EQ(texts.size(), std::size(kAll));
}

TEST(RejectReason, ARefusalIsAnErrorOfItsOwnKind) {
  for (RejectReason r : kAll) {
    Error e(r, "detail");
    EXPECT_EQ(e.kind(), ErrorKind::kMediaRejected);
    EXPECT_EQ(e.reject_reason(), r);
    EXPECT_STREQ(e.what(), "detail");
    // Bad media stays bad: no retry, and no Retry-After.
    EXPECT_FALSE(e.retryable());
    EXPECT_FALSE(e.retry_after().has_value());
  }
  EXPECT_STREQ(to_string(ErrorKind::kMediaRejected), "media_rejected");
}

TEST(RejectReason, OtherErrorsHaveNoReason) {
  for (ErrorKind k :
       {ErrorKind::kNetwork, ErrorKind::kClient, ErrorKind::kInvalidInput, ErrorKind::kInternal}) {
    EXPECT_FALSE(Error(k, "x").reject_reason().has_value()) << to_string(k);
  }
}

}  // namespace
}  // namespace tgscribe
