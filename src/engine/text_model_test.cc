// Typed suite: every TextModel implementation must pass it, against the fake chat-completions
// server (engine/testing/fake_chat_completions.h) speaking the real wire format. To add an
// implementation, write a factory like DirectClient below and add it to Impls.
#include "engine/text_model.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

#include "common/testing/manual_clock.h"
#include "engine/chat_completions_client.h"
#include "engine/retrying_text_model.h"
#include "engine/testing/fake_chat_completions.h"
#include "http/curl_http_client.h"

namespace tgscribe::engine {
namespace {

using std::chrono::milliseconds;
using testing::ChatReply;
using testing::ChatRequest;
using testing::FakeChatCompletions;
using testing::FakeChatOptions;
using tgscribe::testing::ManualClock;

ChatCompletionsSettings settings_for(const std::string& url, const std::string& key) {
  ChatCompletionsSettings s;
  s.provider = "groq";
  s.base_url = url;
  s.api_key = key;
  s.model = "llama-3.1-8b-instant";
  s.context_tokens = 8000;
  s.timeout = milliseconds(5000);
  return s;
}

struct DirectClient {
  static std::shared_ptr<TextModel> make(ChatCompletionsSettings s, Clock&) {
    return std::make_shared<ChatCompletionsClient>(std::move(s),
                                                   std::make_shared<http::CurlHttpClient>());
  }
};

struct WithRetries {
  static std::shared_ptr<TextModel> make(ChatCompletionsSettings s, Clock& clock) {
    RetryPolicy p;
    p.max_retries = 2;
    return std::make_shared<RetryingTextModel>(DirectClient::make(std::move(s), clock), p, clock,
                                               /*seed=*/7);
  }
};

template <typename Factory>
class TextModelTest : public ::testing::Test {
 protected:
  void SetUp() override { fake_.start(); }
  std::shared_ptr<TextModel> model(const std::string& key = "test-llm-key") {
    return Factory::make(settings_for(fake_.url(), key), clock_);
  }
  static CompletionRequest ask(const std::string& text, int max_tokens = 200) {
    CompletionRequest r;
    r.messages = {{"system", "You summarise."}, {"user", text}};
    r.max_tokens = max_tokens;
    r.temperature = 0.3;
    return r;
  }
  FakeChatCompletions fake_;
  ManualClock clock_;
};

using Impls = ::testing::Types<DirectClient, WithRetries>;
class ImplNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, DirectClient> ? "ChatCompletionsClient" : "RetryingTextModel";
  }
};
TYPED_TEST_SUITE(TextModelTest, Impls, ImplNames);

TYPED_TEST(TextModelTest, SendsTheWireFormatAndParsesTheAnswerAndUsage) {
  auto m = this->model();
  Completion c = m->complete(this->ask("Budi will send the 3 invoices on Monday."));
  auto reqs = this->fake_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const ChatRequest& r = reqs[0];
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  EXPECT_EQ(r.path, "/v1/chat/completions");
  EXPECT_EQ(r.authorization, "Bearer test-llm-key");
  EXPECT_EQ(r.model, "llama-3.1-8b-instant");
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(r.messages[0].role, "system");
  EXPECT_EQ(r.messages[1].role, "user");
  EXPECT_EQ(r.messages[1].content, "Budi will send the 3 invoices on Monday.");
  EXPECT_EQ(r.max_tokens, 200);
  ASSERT_TRUE(r.temperature.has_value());
  EXPECT_DOUBLE_EQ(*r.temperature, 0.3);

  EXPECT_EQ(c.text, testing::default_answer(r));
  EXPECT_EQ(c.text, "SUMMARY(Budi will send the 3 invoices on Monday.)");
  EXPECT_EQ(c.prompt_tokens, r.prompt_tokens);  // the endpoint's usage, not our estimate
  EXPECT_EQ(c.completion_tokens, testing::estimate_tokens(c.text));
  EXPECT_EQ(c.model, "llama-3.1-8b-instant");
  EXPECT_EQ(m->provider(), "groq");
  EXPECT_EQ(m->context_tokens(), 8000);
}

TYPED_TEST(TextModelTest, GroqStyleBaseUrlWithAPathPrefixWorks) {
  auto m = TypeParam::make(settings_for(this->fake_.url_with_prefix("/openai/v1/"), "test-llm-key"),
                           this->clock_);
  EXPECT_EQ(m->complete(this->ask("hello there")).text, "SUMMARY(hello there)");
  ASSERT_EQ(this->fake_.requests().size(), 1u);
  EXPECT_EQ(this->fake_.requests()[0].path, "/openai/v1/chat/completions");
}

TYPED_TEST(TextModelTest, RateLimitIsRateLimitedWithTheServersRetryAfter) {
  this->fake_.set_responder([](const ChatRequest&) { return ChatReply::rate_limited(7); });
  auto m = this->model();
  try {
    m->complete(this->ask("x"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kRateLimited);
    ASSERT_TRUE(e.retry_after().has_value());
    EXPECT_EQ(*e.retry_after(), milliseconds(7000));
  }
}

TYPED_TEST(TextModelTest, ServerErrorIsServer) {
  this->fake_.set_responder([](const ChatRequest&) { return ChatReply::error(503); });
  auto m = this->model();
  try {
    m->complete(this->ask("x"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kServer);
    EXPECT_TRUE(e.retryable());
  }
}

TYPED_TEST(TextModelTest, WrongKeyIsAuthAndTheKeyIsNeverInTheError) {
  const std::string key = "gsk_wrong_secret_0123456789";
  auto m = this->model(key);
  try {
    m->complete(this->ask("x"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kAuth);
    EXPECT_EQ(std::string(e.what()).find(key), std::string::npos) << e.what();
  }
  // A configuration problem: never retried.
  EXPECT_EQ(this->fake_.requests().size(), 1u);
  EXPECT_EQ(this->fake_.requests()[0].status, 401);
}

TYPED_TEST(TextModelTest, ContextLengthErrorThrowsContextTooLongAndLowersTheContext) {
  this->fake_.set_context_tokens(1000);
  auto m = this->model();
  ASSERT_EQ(m->context_tokens(), 8000);
  try {
    m->complete(this->ask(std::string(4000, 'a'), 500));
    FAIL() << "no error";
  } catch (const ContextTooLong& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kClient);
    EXPECT_EQ(e.limit_tokens(), 1000);
    EXPECT_NE(std::string(e.what()).find("maximum context length is 1000 tokens"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(m->context_tokens(), 1000);
  EXPECT_EQ(this->fake_.requests().size(), 1u);  // a retry cannot pass it
  // A smaller prompt fits the learned limit.
  EXPECT_EQ(m->complete(this->ask("short", 100)).text, "SUMMARY(short)");
}

TYPED_TEST(TextModelTest, OtherClientErrorCarriesTheEndpointsMessage) {
  this->fake_.set_responder([](const ChatRequest& r) {
    return ChatReply::error(
        404, "",
        R"({"error":{"message":"The model `)" + r.model +
            R"(` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}})");
  });
  auto m = this->model();
  try {
    m->complete(this->ask("x"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kClient);
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  EXPECT_EQ(this->fake_.requests().size(), 1u);
}

TYPED_TEST(TextModelTest, CancelledRequestIsNotSent) {
  auto m = this->model();
  CompletionRequest r = this->ask("x");
  r.cancelled = [] { return true; };
  try {
    m->complete(r);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCancelled);
  }
  EXPECT_TRUE(this->fake_.requests().empty());
}

// --- ChatCompletionsClient only --------------------------------------------------------------

TEST(ChatCompletionsClientTest, SlowAnswerTimesOut) {
  FakeChatCompletions fake;
  fake.start();
  fake.script_next(ChatReply::answer("late").after(milliseconds(700)));
  auto s = settings_for(fake.url(), "test-llm-key");
  s.timeout = milliseconds(150);
  ChatCompletionsClient c(s, std::make_shared<http::CurlHttpClient>());
  CompletionRequest r;
  r.messages = {{"user", "x"}};
  try {
    c.complete(r);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kTimeout);
  }
}

TEST(ChatCompletionsClientTest, SelfHostedServerWithoutKeyGetsNoAuthorization) {
  FakeChatOptions o;
  o.api_key = "";
  FakeChatCompletions fake(o);
  fake.start();
  auto s = settings_for(fake.url(), "");
  s.provider = "custom";
  ChatCompletionsClient c(s, std::make_shared<http::CurlHttpClient>());
  CompletionRequest r;
  r.messages = {{"user", "hi"}};
  EXPECT_EQ(c.complete(r).text, "SUMMARY(hi)");
  ASSERT_EQ(fake.requests().size(), 1u);
  EXPECT_TRUE(fake.requests()[0].authorization.empty());
  EXPECT_TRUE(fake.requests()[0].problems.empty());
}

TEST(ChatCompletionsClientTest, ContextLimitIsReadFromTheKnownErrorShapes) {
  EXPECT_EQ(context_limit_in(R"({"error":{"message":"This model's maximum context length is )"
                             R"(8192 tokens. However, you requested 9000 tokens"}})"),
            8192);
  // llama.cpp's server.
  EXPECT_EQ(
      context_limit_in(R"({"error":{"code":400,"message":"the request exceeds the )"
                       R"(available context size, try increasing it","type":)"
                       R"("exceed_context_size_error","n_prompt_tokens":5000,"n_ctx":4096}})"),
      4096);
  // Groq's free plan: one request over the tokens-per-minute limit.
  const std::string groq =
      R"({"error":{"message":"Request too large for model `llama-3.1-8b-instant` in )"
      R"(organization `org_x` service tier `on_demand` on tokens per minute (TPM): Limit 6000, )"
      R"(Requested 7523, please reduce your message size and try again.","type":"tokens",)"
      R"("code":"rate_limit_exceeded"}})";
  EXPECT_EQ(context_limit_in(groq), 6000);
  EXPECT_TRUE(is_context_length_error(413, groq));
  EXPECT_FALSE(is_context_length_error(429, groq));
  EXPECT_FALSE(is_context_length_error(400, R"({"error":{"message":"bad temperature"}})"));
  EXPECT_EQ(context_limit_in("no number here"), 0);
}

TEST(ChatCompletionsClientTest, ConcurrentRefusalsAllLearnTheLimit) {
  FakeChatOptions o;
  o.context_tokens = 1500;
  FakeChatCompletions fake(o);
  fake.start();
  ChatCompletionsClient c(settings_for(fake.url(), "test-llm-key"),
                          std::make_shared<http::CurlHttpClient>());
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      CompletionRequest r;
      r.messages = {{"user", std::string(20'000, 'x')}};
      try {
        c.complete(r);
      } catch (const ContextTooLong& e) {
        if (e.limit_tokens() == 1500) ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(refused.load(), 4);
  EXPECT_EQ(c.context_tokens(), 1500);
}

TEST(ChatCompletionsClientTest, UnreadableAnswerIsAServerError) {
  FakeChatCompletions fake;
  fake.start();
  fake.set_responder([](const ChatRequest&) {
    ChatReply r = ChatReply::error(200, "", "<html>gateway</html>");
    return r;
  });
  ChatCompletionsClient c(settings_for(fake.url(), "test-llm-key"),
                          std::make_shared<http::CurlHttpClient>());
  CompletionRequest r;
  r.messages = {{"user", "x"}};
  try {
    c.complete(r);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kServer);
    EXPECT_EQ(std::string(e.what()).find("gateway"), std::string::npos);
  }
}

// --- RetryingTextModel only -------------------------------------------------------------------

TEST(RetryingTextModelTest, WaitsWhatRetryAfterSaysThenSucceeds) {
  FakeChatCompletions fake;
  fake.start();
  fake.script_next(ChatReply::rate_limited(7));
  fake.script_next(ChatReply::error(502));
  ManualClock clock;
  RetryPolicy p;
  p.max_retries = 3;
  p.base_delay = milliseconds(1000);
  p.max_delay = milliseconds(1000);
  RetryingTextModel m(DirectClient::make(settings_for(fake.url(), "test-llm-key"), clock), p, clock,
                      1);
  CompletionRequest r;
  r.messages = {{"user", "hello"}};
  EXPECT_EQ(m.complete(r).text, "SUMMARY(hello)");
  EXPECT_EQ(fake.requests().size(), 3u);
  // 7 s as asked, then one backoff of 0.5-1 s (jitter) for the 502.
  EXPECT_GE(clock.slept(), milliseconds(7500));
  EXPECT_LE(clock.slept(), milliseconds(8000));
}

TEST(RetryingTextModelTest, DoesNotWaitForAFarRetryAfter) {
  FakeChatCompletions fake;
  fake.start();
  fake.set_responder([](const ChatRequest&) { return ChatReply::rate_limited(3600); });
  ManualClock clock;
  RetryPolicy p;
  p.max_retry_after = milliseconds(120'000);
  RetryingTextModel m(DirectClient::make(settings_for(fake.url(), "test-llm-key"), clock), p, clock,
                      1);
  CompletionRequest r;
  r.messages = {{"user", "hello"}};
  EXPECT_THROW(m.complete(r), Error);
  EXPECT_EQ(fake.requests().size(), 1u);
  EXPECT_EQ(clock.slept(), milliseconds(0));
}

TEST(RetryingTextModelTest, CancelledWhileWaitingStops) {
  FakeChatCompletions fake;
  fake.start();
  fake.set_responder([](const ChatRequest&) { return ChatReply::rate_limited(30); });
  ManualClock clock;
  RetryingTextModel m(DirectClient::make(settings_for(fake.url(), "test-llm-key"), clock),
                      RetryPolicy{}, clock, 1);
  CompletionRequest r;
  r.messages = {{"user", "hello"}};
  r.cancelled = [&clock] { return clock.slept() >= milliseconds(1000); };
  try {
    m.complete(r);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCancelled);
  }
  EXPECT_EQ(fake.requests().size(), 1u);
  EXPECT_LT(clock.slept(), milliseconds(30'000));
}

}  // namespace
}  // namespace tgscribe::engine
