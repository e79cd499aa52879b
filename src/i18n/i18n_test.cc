#include "i18n/i18n.h"

#include <fmt/args.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace tgscribe::i18n {
namespace {

std::set<std::string> placeholders(std::string_view t) {
  std::set<std::string> names;
  std::regex re(R"(\{([a-z_0-9]*)\})");
  std::string s(t);
  for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator(); ++it) {
    names.insert((*it)[1].str());
  }
  return names;
}

TEST(I18n, LanguageCodeChoosesCatalogue) {
  EXPECT_EQ(lang_for("id"), Lang::kId);
  EXPECT_EQ(lang_for("ID"), Lang::kId);
  EXPECT_EQ(lang_for("id-ID"), Lang::kId);
  EXPECT_EQ(lang_for("en"), Lang::kEn);
  EXPECT_EQ(lang_for("en-GB"), Lang::kEn);
  EXPECT_EQ(lang_for(""), Lang::kEn);
  EXPECT_EQ(lang_for("it"), Lang::kEn);
  EXPECT_STREQ(lang_code(Lang::kId), "id");
}

TEST(I18n, EveryMessageExistsInBothLanguagesWithTheSamePlaceholders) {
  auto all = all_messages();
  ASSERT_EQ(all.size(), static_cast<size_t>(Msg::kCount));
  int identical = 0;
  for (Msg m : all) {
    SCOPED_TRACE(msg_name(m));
    auto en = templ(Lang::kEn, m);
    auto id = templ(Lang::kId, m);
    EXPECT_FALSE(en.empty());
    EXPECT_FALSE(id.empty());
    EXPECT_EQ(placeholders(en), placeholders(id));
    // Positional "{}" would make reordering impossible for translators.
    EXPECT_EQ(placeholders(en).count(""), 0u);
    if (en == id) ++identical;
  }
  // Only language-neutral lines (the emoji footer) may be shared.
  EXPECT_LE(identical, 1);
}

TEST(I18n, EveryMessageFormatsWithItsNamedArguments) {
  for (Lang lang : {Lang::kEn, Lang::kId}) {
    for (Msg m : all_messages()) {
      SCOPED_TRACE(msg_name(m));
      fmt::dynamic_format_arg_store<fmt::format_context> store;
      auto names = placeholders(templ(lang, m));
      for (const auto& n : names) store.push_back(fmt::arg(n.c_str(), "<" + n + ">"));
      std::string out = format_message(lang, m, store);
      for (const auto& n : names) {
        EXPECT_NE(out.find("<" + n + ">"), std::string::npos) << out;
        EXPECT_EQ(out.find("{" + n + "}"), std::string::npos) << out;
      }
      // Telegram rejects texts over 4096 UTF-16 units; catalogue texts must stay far below.
      EXPECT_LT(out.size(), 2000u);
    }
  }
}

TEST(I18n, TrFillsNamedPlaceholders) {
  EXPECT_EQ(tr(Lang::kEn, Msg::kCancelDone, fmt::arg("id", "3f2a")), "Job 3f2a cancelled.");
  EXPECT_EQ(tr(Lang::kId, Msg::kCancelDone, fmt::arg("id", "3f2a")), "Pekerjaan 3f2a dibatalkan.");
}

TEST(I18n, MissingArgumentNeverThrows) {
  std::string out;
  EXPECT_NO_THROW(out = tr(Lang::kEn, Msg::kCancelDone));
  EXPECT_EQ(out, templ(Lang::kEn, Msg::kCancelDone));
}

TEST(I18n, Durations) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(7.4), "0:07");
  EXPECT_EQ(format_duration(182), "3:02");
  EXPECT_EQ(format_duration(3723), "1:02:03");
  EXPECT_EQ(format_duration(-5), "0:00");
}

TEST(I18n, Megabytes) {
  EXPECT_EQ(format_mb(20'000'000), "20");
  EXPECT_EQ(format_mb(23'456'789), "23.5");
  EXPECT_EQ(format_mb(2'000'000'000), "2000");
}

}  // namespace
}  // namespace tgscribe::i18n
