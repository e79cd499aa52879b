#include "bot/chat_choice_args.h"

#include <gtest/gtest.h>

namespace tgscribe::bot {
namespace chat_choice_args_test {

using Kind = FormatsArg::Kind;

TEST(FormatsArg, ListsInAnySpellingBecomeCanonicalNames) {
  EXPECT_EQ(parse_formats_arg("").kind, Kind::kShow);
  EXPECT_EQ(parse_formats_arg("  ").kind, Kind::kShow);
  for (const char* text : {"vtt,json", "VTT, Json", "vtt json", " vtt ,, json ", "vtt,json,vtt"}) {
    SCOPED_TRACE(text);
    FormatsArg a = parse_formats_arg(text);
    EXPECT_EQ(a.kind, Kind::kSet);
    EXPECT_EQ(a.formats, (std::vector<std::string>{"vtt", "json"}));
  }
  EXPECT_EQ(parse_formats_arg("srt,txt").formats, (std::vector<std::string>{"srt", "txt"}));
  EXPECT_EQ(parse_formats_arg("txt,srt,vtt,json").formats.size(), 4u);
}

TEST(FormatsArg, NoneAndDefaultAreWords) {
  EXPECT_EQ(parse_formats_arg("none").kind, Kind::kNone);
  EXPECT_EQ(parse_formats_arg("NONE").kind, Kind::kNone);
  EXPECT_EQ(parse_formats_arg("default").kind, Kind::kDefault);
  // Mixed with formats they are not formats.
  FormatsArg a = parse_formats_arg("txt,none");
  EXPECT_EQ(a.kind, Kind::kInvalid);
  EXPECT_EQ(a.bad, "none");
}

TEST(FormatsArg, UnknownNamesAreNamedBack) {
  FormatsArg a = parse_formats_arg("txt,pdf,docx");
  EXPECT_EQ(a.kind, Kind::kInvalid);
  EXPECT_EQ(a.bad, "pdf");
  EXPECT_TRUE(a.formats.empty());
  FormatsArg commas = parse_formats_arg(",,");
  EXPECT_EQ(commas.kind, Kind::kInvalid);
  EXPECT_EQ(commas.bad, ",,");
}

TEST(SwitchArg, OnOffOrShow) {
  EXPECT_EQ(parse_switch_arg("").kind, SwitchArg::Kind::kShow);
  EXPECT_EQ(parse_switch_arg("on").kind, SwitchArg::Kind::kOn);
  EXPECT_EQ(parse_switch_arg(" OFF ").kind, SwitchArg::Kind::kOff);
  EXPECT_EQ(parse_switch_arg("maybe").kind, SwitchArg::Kind::kInvalid);
  EXPECT_EQ(parse_switch_arg("on off").kind, SwitchArg::Kind::kInvalid);
}

}  // namespace chat_choice_args_test
}  // namespace tgscribe::bot
