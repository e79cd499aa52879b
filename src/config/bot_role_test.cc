// BOT_ROLE's one reading (config::Config::runs_intake, runs_workers): the app's wiring and
// /readyz probes, BotService and `tgscribe doctor` all ask these two.
#include <gtest/gtest.h>

#include "config/config.h"

namespace tgscribe::config {
namespace {

Config with_role(const std::string& role) {
  Config c;
  c.bot_role = role;
  return c;
}

TEST(BotRole, AllRunsIntakeAndWorkers) {
  Config c = with_role("all");
  EXPECT_TRUE(c.runs_intake());
  EXPECT_TRUE(c.runs_workers());
}

TEST(BotRole, TheDefaultIsAll) {
  Config c;
  EXPECT_TRUE(c.runs_intake());
  EXPECT_TRUE(c.runs_workers());
}

TEST(BotRole, IngestTakesUpdatesButTranscribesNothing) {
  Config c = with_role("ingest");
  EXPECT_TRUE(c.runs_intake());
  EXPECT_FALSE(c.runs_workers());
}

TEST(BotRole, WorkerTranscribesButTakesNoUpdates) {
  Config c = with_role("worker");
  EXPECT_FALSE(c.runs_intake());
  EXPECT_TRUE(c.runs_workers());
}

}  // namespace
}  // namespace tgscribe::config
