// The text model's configuration (LLM_*) as an operator meets it through the built binary:
// `tgscribe config` says which endpoint and model summaries and translations use, masks the
// key, and refuses invalid values with exit code 2.
#include <gtest/gtest.h>

#include "support/test_util.h"

namespace tgscribe {
namespace {

using testing::ProcessResult;
using testing::TempDir;

class LlmConfigCli : public ::testing::Test {
 protected:
  ProcessResult config(std::map<std::string, std::string> env) {
    std::map<std::string, std::string> base = {{"DATA_DIR", (dir_ / "data").string()},
                                               {"ENV_FILE", ""},
                                               {"GROQ_API_KEY", ""},
                                               {"OPENAI_API_KEY", ""},
                                               {"DEEPGRAM_API_KEY", ""},
                                               {"TRANSCRIBER", ""},
                                               {"LLM_API_URL", ""},
                                               {"LLM_API_KEY", ""},
                                               {"LLM_MODEL", ""},
                                               {"LLM_CONTEXT_TOKENS", ""},
                                               {"LLM_TIMEOUT_S", ""}};
    for (auto& [k, v] : env) base[k] = v;
    return testing::run_process({testing::tgscribe_binary(), "config"}, base, {},
                                std::chrono::seconds(60), dir_.path());
  }
  TempDir dir_;
};

TEST_F(LlmConfigCli, GroqKeyGivesGroqsSmallChatModel) {
  auto r = config({{"GROQ_API_KEY", "gsk_secretsecret123"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("# text model (summaries, translations): groq llama-3.1-8b-instant at "
                       "https://api.groq.com/openai/v1, 6000 tokens"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("LLM_API_URL="), std::string::npos) << r.out;
}

TEST_F(LlmConfigCli, NoKeysMeansNoTextModel) {
  auto r = config({});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("# text model (summaries, translations): off"), std::string::npos) << r.out;
}

TEST_F(LlmConfigCli, SelfHostedServerWithItsKeyMasked) {
  auto r = config({{"LLM_API_URL", "http://127.0.0.1:11434/v1"},
                   {"LLM_API_KEY", "llm-secret-key-42"},
                   {"LLM_MODEL", "qwen2.5:7b"},
                   {"LLM_CONTEXT_TOKENS", "32768"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("custom qwen2.5:7b at http://127.0.0.1:11434/v1, 32768 tokens"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("llm-secret-key-42"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("llm-secret-key-42"), std::string::npos) << r.err;
}

TEST_F(LlmConfigCli, InvalidValuesExitTwoNamingEachOption) {
  auto r = config({{"LLM_API_URL", "http://127.0.0.1:8080/v1"},  // no LLM_MODEL
                   {"LLM_CONTEXT_TOKENS", "12"},
                   {"LLM_TIMEOUT_S", "never"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("LLM_MODEL"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("LLM_CONTEXT_TOKENS"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("LLM_TIMEOUT_S"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tgscribe
