// The text model's options (LLM_*): defaults from the engine keys, explicit endpoints,
// validation, and the key's redaction.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/redact.h"
#include "config/config_loader.h"

namespace tgscribe::config {
namespace {

using Map = std::map<std::string, std::string>;
using ::testing::Contains;
using ::testing::HasSubstr;

TEST(LlmConfig, OffWithoutKeys) {
  auto r = load_config({}, {}, "");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_FALSE(r.config.llm_endpoint().has_value());
  EXPECT_EQ(r.config.llm_timeout_s, 120);
  EXPECT_EQ(r.config.llm_context_tokens, 0);
  EXPECT_NE(render_config(r).find("# text model (summaries, translations): off"),
            std::string::npos);
}

TEST(LlmConfig, GroqKeyMeansGroqsChatEndpointAndASmallModel) {
  auto r = load_config({}, {{"GROQ_API_KEY", "gsk_groq_key_1"}, {"OPENAI_API_KEY", "sk-o"}}, "");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  auto e = r.config.llm_endpoint();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->provider, "groq");
  EXPECT_EQ(e->url, "https://api.groq.com/openai/v1");
  EXPECT_EQ(e->api_key, "gsk_groq_key_1");
  EXPECT_EQ(e->model, "llama-3.1-8b-instant");
  EXPECT_EQ(e->context_tokens, 6000);  // Groq's free-plan cap on one request
}

TEST(LlmConfig, OpenAiKeyAloneMeansOpenAi) {
  auto r = load_config({}, {{"OPENAI_API_KEY", "sk-openai-key-2"}}, "");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  auto e = r.config.llm_endpoint();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->provider, "openai");
  EXPECT_EQ(e->url, "https://api.openai.com/v1");
  EXPECT_EQ(e->api_key, "sk-openai-key-2");
  EXPECT_EQ(e->model, "gpt-4o-mini");
  EXPECT_EQ(e->context_tokens, 128000);
}

TEST(LlmConfig, ExplicitOptionsWin) {
  auto r = load_config({},
                       {{"GROQ_API_KEY", "gsk_groq_key_1"},
                        {"LLM_API_URL", "http://127.0.0.1:11434/v1/"},
                        {"LLM_MODEL", "qwen2.5:7b"},
                        {"LLM_CONTEXT_TOKENS", "32768"},
                        {"LLM_TIMEOUT_S", "30"}},
                       "");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  auto e = r.config.llm_endpoint();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->provider, "custom");
  EXPECT_EQ(e->url, "http://127.0.0.1:11434/v1");
  EXPECT_EQ(e->api_key, "");  // a self-hosted server never gets the Groq key
  EXPECT_EQ(e->model, "qwen2.5:7b");
  EXPECT_EQ(e->context_tokens, 32768);
  EXPECT_EQ(r.config.llm_timeout_s, 30);
}

TEST(LlmConfig, OffTurnsItOffEvenWithKeys) {
  auto r = load_config({}, {{"GROQ_API_KEY", "gsk_groq_key_1"}, {"LLM_API_URL", "off"}}, "");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_FALSE(r.config.llm_endpoint().has_value());
}

TEST(LlmConfig, GroqUrlTakesTheGroqKeyUnlessLlmKeyIsSet) {
  auto r = load_config({},
                       {{"GROQ_API_KEY", "gsk_groq_key_1"},
                        {"OPENAI_API_KEY", "sk-o"},
                        {"LLM_API_URL", "https://api.groq.com/openai/v1"},
                        {"LLM_API_KEY", "gsk_other_key_3"}},
                       "");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_EQ(r.config.llm_endpoint()->api_key, "gsk_other_key_3");
  EXPECT_EQ(redact("key gsk_other_key_3"), "key ***");  // registered as a secret
}

TEST(LlmConfig, InvalidValuesAreReported) {
  auto r = load_config(
      {}, {{"LLM_API_URL", "ftp://x"}, {"LLM_CONTEXT_TOKENS", "100"}, {"LLM_TIMEOUT_S", "0"}}, "");
  EXPECT_THAT(r.errors, Contains(HasSubstr("LLM_API_URL:")));
  EXPECT_THAT(r.errors, Contains(HasSubstr("LLM_CONTEXT_TOKENS:")));
  EXPECT_THAT(r.errors, Contains(HasSubstr("LLM_TIMEOUT_S:")));
}

TEST(LlmConfig, SelfHostedServerNeedsAModelName) {
  auto r = load_config({}, {{"LLM_API_URL", "http://127.0.0.1:8080/v1"}}, "");
  EXPECT_THAT(r.errors, Contains(HasSubstr("LLM_MODEL:")));
}

TEST(LlmConfig, OpenAiUrlWithoutAnyKeyIsAnError) {
  auto r = load_config({}, {{"LLM_API_URL", "https://api.openai.com/v1"}}, "");
  EXPECT_THAT(r.errors, Contains(HasSubstr("LLM_API_KEY:")));
}

TEST(LlmConfig, KeyWithoutAnEndpointIsAnError) {
  auto r = load_config({}, {{"LLM_API_KEY", "sk-lonely"}}, "");
  EXPECT_THAT(r.errors, Contains(HasSubstr("LLM_API_KEY:")));
}

}  // namespace
}  // namespace tgscribe::config
