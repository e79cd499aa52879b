#include "engine/summarizer.h"

#include <gtest/gtest.h>

#include <numeric>

#include "engine/chat_completions_client.h"
#include "engine/testing/fake_chat_completions.h"
#include "engine/token_estimate.h"
#include "http/curl_http_client.h"

namespace tgscribe::engine {
namespace {

using testing::ChatReply;
using testing::ChatRequest;
using testing::FakeChatCompletions;
using testing::FakeChatOptions;

// A transcript of `sentences` distinct numbered sentences, in paragraphs of five.
std::string meeting(int sentences) {
  std::string out;
  for (int i = 1; i <= sentences; ++i) {
    out += "Sentence " + std::to_string(i) + " says that Budi owes Sari " + std::to_string(i * 7) +
           " thousand rupiah.";
    out += i % 5 == 0 ? "\n\n" : " ";
  }
  return out;
}

// Words of a text, whitespace ignored: what the parts must add up to.
std::string words(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  for (std::string w; in >> w;) out += (out.empty() ? "" : " ") + w;
  return out;
}

class SummarizerTest : public ::testing::Test {
 protected:
  void SetUp() override { fake_.start(); }
  ChatCompletionsClient client(int64_t context_tokens) {
    return ChatCompletionsClient(fake_.settings(context_tokens),
                                 std::make_shared<http::CurlHttpClient>());
  }
  FakeChatCompletions fake_;
};

TEST_F(SummarizerTest, ShortTextIsOneCallInTheTranscriptsLanguage) {
  auto model = client(8000);
  Summarizer summarizer(model);
  const std::string text = "Rapat dimulai jam 9. Budi akan mengirim 3 faktur ke Sari hari Senin.";
  SummaryResult r = summarizer.summarize({.text = text, .language = "id"});

  auto reqs = fake_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(reqs[0].last("user"), text);
  const std::string system = reqs[0].last("system");
  EXPECT_NE(system.find("Indonesian (id)"), std::string::npos) << system;
  EXPECT_NE(system.find("names, numbers"), std::string::npos) << system;
  EXPECT_NE(system.find("Do not add anything"), std::string::npos) << system;
  EXPECT_EQ(r.text, testing::default_answer(reqs[0]));
  EXPECT_EQ(r.prompt_tokens, reqs[0].prompt_tokens);
  EXPECT_EQ(r.completion_tokens, testing::estimate_tokens(r.text));
  EXPECT_EQ(r.model, "llama-3.1-8b-instant");
  EXPECT_LE(reqs[0].max_tokens, 1024);
}

TEST_F(SummarizerTest, UnknownLanguageAsksForTheTextsOwnLanguage) {
  auto model = client(8000);
  Summarizer(model).summarize({.text = "Hallo zusammen.", .language = ""});
  ASSERT_EQ(fake_.requests().size(), 1u);
  EXPECT_NE(fake_.requests()[0].last("system").find("the language the transcript is written in"),
            std::string::npos);
}

TEST_F(SummarizerTest, LongTextIsSummarisedInPartsThenThePartsSummariesTogether) {
  const int64_t context = 1500;
  auto model = client(context);
  const std::string text = meeting(120);  // ~ 7,000 chars: several parts at 1,500 tokens
  SummaryResult r = Summarizer(model).summarize({.text = text, .language = "en"});

  auto reqs = fake_.requests();
  ASSERT_GE(reqs.size(), 3u);
  EXPECT_EQ(r.calls, static_cast<int>(reqs.size()));
  const size_t parts = reqs.size() - 1;
  std::string sent, summaries;
  int64_t prompt = 0, completion = 0;
  for (size_t i = 0; i < reqs.size(); ++i) {
    const auto& q = reqs[i];
    EXPECT_EQ(q.status, 200);
    // Every request fits the context by our own (conservative) count.
    std::vector<ChatTurn> turns;
    for (const auto& m : q.messages) turns.push_back({m.role, m.content});
    EXPECT_LE(estimate_prompt_tokens(turns) + q.max_tokens, context) << "request " << i;
    prompt += q.prompt_tokens;
    completion += testing::estimate_tokens(testing::default_answer(q));
    if (i < parts) {
      EXPECT_NE(
          q.last("system").find("part " + std::to_string(i + 1) + " of " + std::to_string(parts)),
          std::string::npos)
          << q.last("system");
      sent += " " + q.last("user");
      summaries += (summaries.empty() ? "" : "\n\n") + testing::default_answer(q);
    }
  }
  // The parts are the whole text, in order, cut between sentences.
  EXPECT_EQ(words(sent), words(text));
  for (size_t i = 0; i < parts; ++i) {
    const std::string u = reqs[i].last("user");
    EXPECT_EQ(u.back(), '.') << "part " << i + 1 << " ends mid-sentence";
  }
  // The last request combines the parts' summaries, in order.
  const auto& last = reqs.back();
  EXPECT_NE(last.last("system").find("Combine them"), std::string::npos);
  EXPECT_EQ(last.last("user"), summaries);
  EXPECT_EQ(r.text, testing::default_answer(last));
  EXPECT_EQ(r.prompt_tokens, prompt);
  EXPECT_EQ(r.completion_tokens, completion);
}

TEST_F(SummarizerTest, LearnsASmallerContextMidwayAndGoesOn) {
  fake_.set_context_tokens(1200);  // the server's real limit
  auto model = client(8000);       // what was configured
  const std::string text = meeting(100);
  SummaryResult r = Summarizer(model).summarize({.text = text, .language = "en"});

  EXPECT_EQ(model.context_tokens(), 1200);
  auto reqs = fake_.requests();
  ASSERT_GE(reqs.size(), 4u);
  EXPECT_EQ(reqs[0].status, 400);  // the first try, at the configured size
  EXPECT_EQ(reqs[0].last("user"), text.substr(0, text.find_last_not_of(" \n") + 1));
  std::string sent;
  for (size_t i = 1; i < reqs.size(); ++i) {
    EXPECT_EQ(reqs[i].status, 200) << "request " << i;
    if (i + 1 < reqs.size()) sent += " " + reqs[i].last("user");
  }
  EXPECT_EQ(words(sent), words(text));
  EXPECT_EQ(r.calls, static_cast<int>(reqs.size()) - 1);  // answered calls only
  EXPECT_EQ(r.text, testing::default_answer(reqs.back()));
}

TEST_F(SummarizerTest, SummariesThatDoNotShrinkEndInAnErrorNotALoop) {
  // A model that answers with more than it was given: each level is as long as the last.
  fake_.set_responder([](const ChatRequest& q) {
    return ChatReply::answer(std::string(q.max_tokens * 3, 'y'), "length");
  });
  auto model = client(1500);
  SummarizerOptions o;
  o.max_calls = 40;
  try {
    Summarizer(model, o).summarize({.text = meeting(100), .language = "en"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kClient) << e.what();
  }
  EXPECT_LE(fake_.requests().size(), 40u);
}

TEST_F(SummarizerTest, EmptyTextIsRefusedWithoutACall) {
  auto model = client(8000);
  EXPECT_THROW(Summarizer(model).summarize({.text = "  \n "}), Error);
  EXPECT_TRUE(fake_.requests().empty());
}

TEST(TokenEstimateTest, IsConservativeAgainstTheFakesCount) {
  for (const std::string& s :
       {std::string("Hello world, this is a test."), std::string("Привет, как дела? Всё хорошо."),
        std::string("会议九点开始。"), std::string(1000, 'a')}) {
    EXPECT_GE(estimate_tokens(s), testing::estimate_tokens(s)) << s;
  }
}

TEST(TokenEstimateTest, SplitsAtSentencesIntoPiecesThatFit) {
  const std::string text = meeting(40);
  auto pieces = split_to_fit(text, 200);
  ASSERT_GE(pieces.size(), 2u);
  std::string joined;
  for (const auto& p : pieces) {
    EXPECT_LE(estimate_tokens(p), 200);
    EXPECT_EQ(p.back(), '.');
    joined += " " + p;
  }
  EXPECT_EQ(words(joined), words(text));
  // An overlong word is cut at characters, never inside a UTF-8 sequence.
  const std::string word = "ёёёёёёёёёёёёёёёёёёёё";
  auto cut = split_to_fit(word, 7);
  std::string back;
  for (const auto& p : cut) {
    EXPECT_LE(estimate_tokens(p), 7);
    back += p;
  }
  EXPECT_EQ(back, word);
}

}  // namespace
}  // namespace tgscribe::engine
