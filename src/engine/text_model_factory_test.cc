#include "engine/text_model_factory.h"

#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "engine/testing/fake_chat_completions.h"

namespace tgscribe::engine {
namespace {

using testing::ChatReply;
using testing::FakeChatCompletions;

TEST(TextModelFactory, NothingWhenNoTextModelIsConfigured) {
  auto r = config::load_config({}, {}, "");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_EQ(make_text_model(r.config), nullptr);
}

TEST(TextModelFactory, BuildsARetryingClientForTheConfiguredEndpoint) {
  FakeChatCompletions fake;
  fake.start();
  // Groq's URL shape on the fake; the first answer is a 429 the model must wait out itself.
  fake.script_next(ChatReply::rate_limited(1));
  auto r = config::load_config({},
                               {{"LLM_API_URL", fake.url_with_prefix("/openai/v1")},
                                {"LLM_API_KEY", "test-llm-key"},
                                {"LLM_MODEL", "llama-3.1-8b-instant"},
                                {"LLM_CONTEXT_TOKENS", "5000"}},
                               "");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  auto model = make_text_model(r.config);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->provider(), "custom");
  EXPECT_EQ(model->model(), "llama-3.1-8b-instant");
  EXPECT_EQ(model->context_tokens(), 5000);
  CompletionRequest q;
  q.messages = {{"user", "hello again"}};
  EXPECT_EQ(model->complete(q).text, "SUMMARY(hello again)");
  auto reqs = fake.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].status, 429);
  EXPECT_EQ(reqs[1].status, 200);
  EXPECT_EQ(reqs[1].authorization, "Bearer test-llm-key");
}

}  // namespace
}  // namespace tgscribe::engine
