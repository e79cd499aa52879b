#include "telegram/command_parser.h"

#include <gtest/gtest.h>

namespace tgscribe::telegram {
namespace {

TEST(ParseCommand, PlainCommandWithArguments) {
  auto c = parse_command("/lang  id ", "scribe_bot");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "lang");
  EXPECT_EQ(c->args, "id");
}

TEST(ParseCommand, SuffixForThisBotIsAccepted) {
  auto c = parse_command("/Transcribe@Scribe_Bot", "scribe_bot");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "transcribe");
  EXPECT_EQ(c->args, "");
}

TEST(ParseCommand, SuffixForAnotherBotIsIgnored) {
  EXPECT_FALSE(parse_command("/help@other_bot", "scribe_bot"));
  // Unknown own name: accept rather than silently ignore the user.
  EXPECT_TRUE(parse_command("/help@other_bot", ""));
}

TEST(ParseCommand, NotCommands) {
  EXPECT_FALSE(parse_command("hello", "b"));
  EXPECT_FALSE(parse_command("/", "b"));
  EXPECT_FALSE(parse_command("/ lang", "b"));
  EXPECT_FALSE(parse_command("/😀", "b"));
  EXPECT_FALSE(parse_command("", "b"));
  EXPECT_FALSE(parse_command("/@b", "b"));
}

TEST(ParseCommand, MultiLineArguments) {
  auto c = parse_command("/cancel\nab12", "b");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "cancel");
  EXPECT_EQ(c->args, "ab12");
}

}  // namespace
}  // namespace tgscribe::telegram
