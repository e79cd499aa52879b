#include "media/media_error.h"

#include <gtest/gtest.h>

namespace tgscribe::media {
namespace {

// Code above the pipeline catches tgscribe::Error and reads the kind and reason; media/ keeps
// throwing MediaRejected. Both views must describe the same refusal.
TEST(MediaRejected, IsACommonErrorWithItsReason) {
  try {
    throw MediaRejected(RejectReason::kTooLong, "too long: over the limit of 60 s");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kMediaRejected);
    EXPECT_EQ(e.reject_reason(), RejectReason::kTooLong);
    EXPECT_STREQ(e.what(), "too long: over the limit of 60 s");
    EXPECT_FALSE(e.retryable());
    const auto* rejected = dynamic_cast<const MediaRejected*>(&e);
    ASSERT_NE(rejected, nullptr);
    EXPECT_EQ(rejected->reason(), RejectReason::kTooLong);
  }
}

}  // namespace
}  // namespace tgscribe::media
