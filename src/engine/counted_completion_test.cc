#include "engine/counted_completion.h"

#include <gtest/gtest.h>

#include <deque>

namespace tgscribe::engine {
namespace {

// Answers with the completions queued, remembering what it was asked.
class ScriptedModel : public TextModel {
 public:
  const std::string& provider() const override { return provider_; }
  const std::string& model() const override { return model_; }
  int64_t context_tokens() const override { return 8000; }
  Completion complete(const CompletionRequest& request) override {
    asked.push_back(request);
    Completion c = answers.front();
    answers.pop_front();
    return c;
  }

  std::deque<Completion> answers;
  std::vector<CompletionRequest> asked;

 private:
  std::string provider_ = "groq";
  std::string model_ = "configured-model";
};

struct Usage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int calls = 0;
  std::string model;
};

TEST(CountedCompletion, SumsUsageOverCallsAndNamesTheAnsweringModel) {
  ScriptedModel m;
  m.answers = {{.text = "a", .prompt_tokens = 10, .completion_tokens = 3, .model = "m-1"},
               {.text = "b", .prompt_tokens = 7, .completion_tokens = 2, .model = ""}};
  Usage usage;
  CompletionRequest request{.messages = {{"system", "s"}, {"user", "u"}}, .max_tokens = 99};
  EXPECT_EQ(counted_completion(m, request, usage, 5, "summary").text, "a");
  EXPECT_EQ(usage.model, "m-1");
  EXPECT_EQ(counted_completion(m, request, usage, 5, "summary").text, "b");
  EXPECT_EQ(usage.calls, 2);
  EXPECT_EQ(usage.prompt_tokens, 17);
  EXPECT_EQ(usage.completion_tokens, 5);
  EXPECT_EQ(usage.model, "configured-model");  // the answer named none
  ASSERT_EQ(m.asked.size(), 2u);
  EXPECT_EQ(m.asked[0].max_tokens, 99);
  EXPECT_EQ(m.asked[0].messages.at(1).content, "u");
}

TEST(CountedCompletion, RefusesACallPastTheBudgetWithoutSendingIt) {
  ScriptedModel m;
  m.answers = {{.text = "a"}};
  Usage usage;
  usage.calls = 3;
  try {
    counted_completion(m, CompletionRequest{}, usage, 3, "translation");
    FAIL() << "a call past the budget was sent";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kClient);
    EXPECT_STREQ(e.what(), "translation would take more than 3 requests");
  }
  EXPECT_TRUE(m.asked.empty());
  EXPECT_EQ(usage.calls, 3);
}

}  // namespace
}  // namespace tgscribe::engine
