#include "server/secret_compare.h"

#include <gtest/gtest.h>

namespace tgscribe::server {
namespace {

TEST(SecretEquals, EqualOnlyWhenIdentical) {
  EXPECT_TRUE(secret_equals("s3cret_Token-1", "s3cret_Token-1"));
  EXPECT_FALSE(secret_equals("s3cret_Token-1", "s3cret_Token-2"));
  EXPECT_FALSE(secret_equals("s3cret_Token-1", "s3cret_Token-"));    // prefix
  EXPECT_FALSE(secret_equals("s3cret_Token-1", "s3cret_Token-11"));  // longer
  EXPECT_FALSE(secret_equals("s3cret_Token-1", ""));
  EXPECT_FALSE(secret_equals("abc", "ABC"));
  EXPECT_TRUE(secret_equals("", ""));
}

}  // namespace
}  // namespace tgscribe::server
