// Typed suite: every SettingsStore implementation must pass it. To add one, write a factory
// in testing/store_factories.h and add it to SettingsImpls.
#include "store/settings_store.h"

#include <gtest/gtest.h>

#include "store/testing/store_factories.h"

namespace tgscribe::store {
namespace {

template <typename Factory>
class SettingsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    s_ = Factory::make(env_, &skip_reason_);
    if (!s_) GTEST_SKIP() << skip_reason_;
  }
  testing::StoreTestEnv env_;
  std::string skip_reason_;
  std::unique_ptr<SettingsStore> s_;
};

using SettingsImpls =
    ::testing::Types<testing::MemorySettingsFactory, testing::SqliteSettingsFactory,
                     testing::RedisSettingsFactory>;
TYPED_TEST_SUITE(SettingsStoreTest, SettingsImpls, testing::FactoryName);

TYPED_TEST(SettingsStoreTest, UnknownChatHasDefaults) {
  ChatSettings s = this->s_->get(-100123);
  EXPECT_EQ(s.language, "");
  EXPECT_FALSE(s.auto_mode);
}

TYPED_TEST(SettingsStoreTest, PutGetOverwriteForget) {
  auto& store = *this->s_;
  store.put(-100123, {"id", true});
  store.put(42, {"auto", false});
  EXPECT_EQ(store.get(-100123).language, "id");
  EXPECT_TRUE(store.get(-100123).auto_mode);
  store.put(-100123, {"en", false});
  EXPECT_EQ(store.get(-100123).language, "en");
  EXPECT_FALSE(store.get(-100123).auto_mode);
  store.forget_chat(-100123);
  EXPECT_EQ(store.get(-100123).language, "");
  EXPECT_EQ(store.get(42).language, "auto");  // other chats untouched
}

TYPED_TEST(SettingsStoreTest, SurvivesReopen) {
  if (!TypeParam::kPersistent) GTEST_SKIP() << "implementation is not persistent";
  this->s_->put(7, {"id", true});
  this->s_.reset();
  auto reopened = TypeParam::make(this->env_, &this->skip_reason_);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->get(7).language, "id");
  EXPECT_TRUE(reopened->get(7).auto_mode);
}

}  // namespace
}  // namespace tgscribe::store
