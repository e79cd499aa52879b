#include "engine/text_translator.h"

#include <gtest/gtest.h>

#include <regex>

#include "engine/chat_completions_client.h"
#include "engine/testing/fake_chat_completions.h"
#include "engine/token_estimate.h"
#include "http/curl_http_client.h"

namespace tgscribe::engine {
namespace {

using testing::ChatReply;
using testing::ChatRequest;
using testing::FakeChatCompletions;

transcript::Transcript source(int n, const std::string& language = "id") {
  transcript::Transcript t;
  t.language = language;
  t.engine = "groq";
  for (int i = 0; i < n; ++i) {
    transcript::Segment s;
    s.start = 2.5 * i;
    s.end = 2.5 * i + 2.25;
    s.text = "Kalimat nomor " + std::to_string(i + 1) + " tentang rapat hari ini.";
    s.words.push_back({s.start, s.end, "Kalimat", 0.9});
    t.segments.push_back(s);
  }
  t.duration = 2.5 * n;
  return t;
}

// The numbered lines of a request: number -> text.
std::map<int, std::string> lines_of(const ChatRequest& q) {
  return parse_numbered_lines(q.last("user"));
}

// Answers like the fake's default, but through `edit` first (number -> translation).
template <typename Edit>
FakeChatCompletions::Responder answering(Edit edit) {
  return [edit](const ChatRequest& q) {
    std::map<int, std::string> out;
    for (const auto& [n, text] : lines_of(q)) out[n] = "T(" + text + ")";
    edit(out);
    std::string answer;
    for (const auto& [n, text] : out) answer += "[" + std::to_string(n) + "] " + text + "\n";
    return ChatReply::answer(answer);
  };
}

class TextTranslatorTest : public ::testing::Test {
 protected:
  void SetUp() override { fake_.start(); }
  ChatCompletionsClient client(int64_t context_tokens = 8000) {
    return ChatCompletionsClient(fake_.settings(context_tokens),
                                 std::make_shared<http::CurlHttpClient>());
  }
  static void expect_same_timings(const transcript::Transcript& a,
                                  const transcript::Transcript& b) {
    ASSERT_EQ(a.segments.size(), b.segments.size());
    for (size_t i = 0; i < a.segments.size(); ++i) {
      EXPECT_DOUBLE_EQ(a.segments[i].start, b.segments[i].start) << i;
      EXPECT_DOUBLE_EQ(a.segments[i].end, b.segments[i].end) << i;
    }
    EXPECT_DOUBLE_EQ(a.duration, b.duration);
  }
  FakeChatCompletions fake_;
};

TEST_F(TextTranslatorTest, TranslatesEverySegmentAndKeepsItsTimings) {
  auto model = client();
  const auto src = source(5);
  TranslationResult r = TextTranslator(model).translate({.source = &src, .target_language = "de"});

  auto reqs = fake_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(r.calls, 1);
  const std::string system = reqs[0].last("system");
  EXPECT_NE(system.find("into German (de)"), std::string::npos) << system;
  EXPECT_NE(system.find("from Indonesian (id)"), std::string::npos) << system;
  auto sent = lines_of(reqs[0]);
  ASSERT_EQ(sent.size(), 5u);
  EXPECT_EQ(r.transcript.language, "de");
  expect_same_timings(r.transcript, src);
  for (size_t i = 0; i < src.segments.size(); ++i) {
    EXPECT_EQ(sent[static_cast<int>(i + 1)], src.segments[i].text);
    EXPECT_EQ(r.transcript.segments[i].text, "T(" + src.segments[i].text + ")");
    EXPECT_TRUE(r.transcript.segments[i].words.empty());  // the source language's words
  }
  EXPECT_EQ(r.prompt_tokens, reqs[0].prompt_tokens);
  EXPECT_GT(r.completion_tokens, 0);
  EXPECT_EQ(r.untranslated + r.merged_lines + r.reasked_lines, 0);
}

TEST_F(TextTranslatorTest, LongTranscriptGoesInBatchesThatFitTheContext) {
  const int64_t context = 1200;
  auto model = client(context);
  const auto src = source(80);
  TranslationResult r = TextTranslator(model).translate({.source = &src, .target_language = "en"});

  auto reqs = fake_.requests();
  ASSERT_GE(reqs.size(), 3u);
  size_t total = 0;
  for (const auto& q : reqs) {
    EXPECT_EQ(q.status, 200);
    std::vector<ChatTurn> turns;
    for (const auto& m : q.messages) turns.push_back({m.role, m.content});
    EXPECT_LE(estimate_prompt_tokens(turns) + q.max_tokens, context);
    total += lines_of(q).size();
  }
  EXPECT_EQ(total, src.segments.size());
  expect_same_timings(r.transcript, src);
  for (size_t i = 0; i < src.segments.size(); ++i) {
    EXPECT_EQ(r.transcript.segments[i].text, "T(" + src.segments[i].text + ")") << i;
  }
}

TEST_F(TextTranslatorTest, ADroppedLineIsAskedForAgainOnItsOwn) {
  auto model = client();
  const auto src = source(5);
  bool first = true;
  fake_.set_responder([&first](const ChatRequest& q) {
    auto r = answering([&first](std::map<int, std::string>& out) {
      if (first) out.erase(3);
      first = false;
    })(q);
    return r;
  });
  TranslationResult r = TextTranslator(model).translate({.source = &src, .target_language = "en"});

  auto reqs = fake_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  auto again = lines_of(reqs[1]);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[1], src.segments[2].text);
  EXPECT_EQ(r.reasked_lines, 1);
  EXPECT_EQ(r.untranslated, 0);
  for (size_t i = 0; i < src.segments.size(); ++i) {
    EXPECT_EQ(r.transcript.segments[i].text, "T(" + src.segments[i].text + ")") << i;
  }
  expect_same_timings(r.transcript, src);
}

TEST_F(TextTranslatorTest, MergedLinesAreSharedOutOverTheirSegments) {
  auto model = client();
  const auto src = source(4);
  // The model puts lines 2 and 3 together in [2].
  fake_.set_responder(answering([](std::map<int, std::string>& out) {
    out[2] += " " + out[3];
    out.erase(3);
  }));
  TranslationResult r = TextTranslator(model).translate({.source = &src, .target_language = "en"});

  EXPECT_EQ(fake_.requests().size(), 1u);  // nothing was lost: no second request
  EXPECT_EQ(r.merged_lines, 1);
  EXPECT_EQ(r.untranslated, 0);
  expect_same_timings(r.transcript, src);
  const std::string merged = "T(" + src.segments[1].text + ") T(" + src.segments[2].text + ")";
  EXPECT_EQ(r.transcript.segments[1].text + " " + r.transcript.segments[2].text, merged);
  EXPECT_FALSE(r.transcript.segments[1].text.empty());
  EXPECT_FALSE(r.transcript.segments[2].text.empty());
  EXPECT_EQ(r.transcript.segments[0].text, "T(" + src.segments[0].text + ")");
  EXPECT_EQ(r.transcript.segments[3].text, "T(" + src.segments[3].text + ")");
}

TEST_F(TextTranslatorTest, ALineStillMissingKeepsItsOriginalText) {
  auto model = client();
  const auto src = source(3);
  fake_.set_responder([](const ChatRequest& q) {
    // Line "nomor 2" is never answered, whatever its number in the request.
    return answering([&q](std::map<int, std::string>& out) {
      for (const auto& [n, text] : lines_of(q)) {
        if (text.find("nomor 2 ") != std::string::npos) out.erase(n);
      }
    })(q);
  });
  TranslationResult r = TextTranslator(model).translate({.source = &src, .target_language = "en"});
  EXPECT_EQ(fake_.requests().size(), 2u);
  EXPECT_EQ(r.untranslated, 1);
  EXPECT_EQ(r.transcript.segments[1].text, src.segments[1].text);
  EXPECT_EQ(r.transcript.segments[0].text, "T(" + src.segments[0].text + ")");
}

TEST_F(TextTranslatorTest, AnAnswerWithoutNumberedLinesIsAnError) {
  auto model = client();
  const auto src = source(3);
  fake_.set_responder([](const ChatRequest&) { return ChatReply::answer("Sure! Here you go."); });
  try {
    TextTranslator(model).translate({.source = &src, .target_language = "en"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kServer);
  }
}

TEST_F(TextTranslatorTest, LearnsASmallerContextAndRebatches) {
  fake_.set_context_tokens(900);
  auto model = client(8000);
  const auto src = source(60);
  TranslationResult r = TextTranslator(model).translate({.source = &src, .target_language = "en"});
  EXPECT_EQ(model.context_tokens(), 900);
  auto reqs = fake_.requests();
  ASSERT_GE(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].status, 400);
  for (size_t i = 0; i < src.segments.size(); ++i) {
    EXPECT_EQ(r.transcript.segments[i].text, "T(" + src.segments[i].text + ")") << i;
  }
}

TEST_F(TextTranslatorTest, SameLanguageNeedsNoCall) {
  auto model = client();
  const auto src = source(2, "en");
  TranslationResult r = TextTranslator(model).translate({.source = &src, .target_language = "en"});
  EXPECT_TRUE(fake_.requests().empty());
  EXPECT_EQ(r.transcript.segments[0].text, src.segments[0].text);
  EXPECT_EQ(r.calls, 0);
}

TEST_F(TextTranslatorTest, TargetMustBeAnIsoCode) {
  auto model = client();
  const auto src = source(2);
  EXPECT_THROW(TextTranslator(model).translate({.source = &src, .target_language = "english"}),
               Error);
  EXPECT_TRUE(fake_.requests().empty());
}

TEST(ParseNumberedLinesTest, ReadsTheUsualShapes) {
  auto m = parse_numbered_lines("[1] one\n2. two\n3) three\n 4: four\ncontinued\n\nnoise");
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[1], "one");
  EXPECT_EQ(m[2], "two");
  EXPECT_EQ(m[3], "three");
  EXPECT_EQ(m[4], "four continued noise");
}

}  // namespace
}  // namespace tgscribe::engine
