#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "support/test_util.h"

namespace tgscribe::config {
namespace {

TEST(ConfigLoader, DefaultsMatchTheContract) {
  auto r = load_config({}, {}, "");
  EXPECT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_EQ(r.config.telegram_api_url, "https://api.telegram.org");
  EXPECT_EQ(r.config.cache_ttl_s, 604800);
  EXPECT_EQ(r.config.queue_max_workers, 5);
  EXPECT_EQ(r.config.output_formats, (std::vector<std::string>{"txt", "srt"}));
  EXPECT_EQ(r.config.audio_target_bitrate, 96000);
  EXPECT_EQ(r.config.primary_engine(), "sphinx");
  EXPECT_EQ(r.effective.at("QUEUE_TYPE").source, "default");
}

}  // namespace
}  // namespace tgscribe::config
