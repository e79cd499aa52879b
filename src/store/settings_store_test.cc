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

TYPED_TEST(SettingsStoreTest, ChoicesDefaultToTheBotsConfiguration) {
  ChatSettings s = this->s_->get(-100123);
  EXPECT_FALSE(s.formats.has_value());  // OUTPUT_FORMATS
  EXPECT_FALSE(s.timestamps);
  EXPECT_FALSE(s.speakers);
}

TYPED_TEST(SettingsStoreTest, ChoicesRoundTripAndStayApartFromLanguageAndMode) {
  auto& store = *this->s_;
  ChatSettings a;
  a.language = "id";
  a.formats = std::vector<std::string>{"vtt", "json"};
  a.timestamps = true;
  store.put(5, a);
  ChatSettings none;
  none.formats = std::vector<std::string>{};  // message only
  none.speakers = true;
  none.auto_mode = true;
  store.put(-6, none);

  ChatSettings got = store.get(5);
  EXPECT_EQ(got.language, "id");
  EXPECT_FALSE(got.auto_mode);
  ASSERT_TRUE(got.formats.has_value());
  EXPECT_EQ(*got.formats, (std::vector<std::string>{"vtt", "json"}));  // order kept
  EXPECT_TRUE(got.timestamps);
  EXPECT_FALSE(got.speakers);

  got = store.get(-6);
  ASSERT_TRUE(got.formats.has_value());  // "none" is not "the default"
  EXPECT_TRUE(got.formats->empty());
  EXPECT_TRUE(got.speakers);
  EXPECT_FALSE(got.timestamps);
  EXPECT_TRUE(got.auto_mode);

  // Back to the default and switches off: a later put replaces every field.
  a.formats.reset();
  a.timestamps = false;
  store.put(5, a);
  got = store.get(5);
  EXPECT_FALSE(got.formats.has_value());
  EXPECT_FALSE(got.timestamps);
  EXPECT_EQ(got.language, "id");

  store.forget_chat(-6);
  EXPECT_FALSE(store.get(-6).formats.has_value());
  EXPECT_FALSE(store.get(-6).speakers);
}

TYPED_TEST(SettingsStoreTest, SurvivesReopen) {
  if (!TypeParam::kPersistent) GTEST_SKIP() << "implementation is not persistent";
  this->s_->put(7, {"id", true, std::vector<std::string>{"srt"}, true, true});
  this->s_.reset();
  auto reopened = TypeParam::make(this->env_, &this->skip_reason_);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->get(7).language, "id");
  EXPECT_TRUE(reopened->get(7).auto_mode);
  EXPECT_EQ(reopened->get(7).formats, std::vector<std::string>{"srt"});
  EXPECT_TRUE(reopened->get(7).timestamps);
  EXPECT_TRUE(reopened->get(7).speakers);
}

}  // namespace
}  // namespace tgscribe::store

namespace tgscribe::store {
namespace {

TEST(ChatFormatsText, EncodesDefaultNoneAndLists) {
  EXPECT_EQ(formats_to_text(std::nullopt), "");
  EXPECT_EQ(formats_to_text(std::vector<std::string>{}), "none");
  EXPECT_EQ(formats_to_text(std::vector<std::string>{"vtt", "json"}), "vtt,json");
  EXPECT_FALSE(formats_from_text("").has_value());
  EXPECT_FALSE(formats_from_text("  ").has_value());
  ASSERT_TRUE(formats_from_text("none").has_value());
  EXPECT_TRUE(formats_from_text("none")->empty());
  EXPECT_EQ(formats_from_text("vtt,json"), (std::vector<std::string>{"vtt", "json"}));
}

}  // namespace
}  // namespace tgscribe::store
