#include "engine/engine_response.h"

#include <gtest/gtest.h>

#include "common/redact.h"
#include "support/test_util.h"

namespace tgscribe::engine {
namespace {

http::Response answer(long status, std::string body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(EngineResponse, UploadSizeIsTheFileSizeWithinTheLimit) {
  tgscribe::testing::TempDir dir;
  AudioFile audio{.path = dir / "a.ogg"};
  tgscribe::testing::write_file(audio.path, std::string(1000, 'x'));
  EngineCaps caps;
  caps.name = "groq";
  caps.max_upload_bytes = 1000;
  EXPECT_EQ(checked_upload_size(audio, caps), 1000);

  caps.max_upload_bytes = 999;
  try {
    checked_upload_size(audio, caps);
    FAIL() << "an upload over the limit passed";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
    EXPECT_STREQ(e.what(), "groq: upload of 1000 bytes is over the limit of 999");
  }
  audio.path = dir / "missing.ogg";
  try {
    checked_upload_size(audio, caps);
    FAIL() << "a missing file passed";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
    EXPECT_STREQ(e.what(), "groq: cannot read the audio file");
  }
}

TEST(EngineResponse, StatusBecomesTheErrorKindWithRetryAfterAndNoBody) {
  EXPECT_NO_THROW(throw_unless_2xx(answer(200), "x"));
  EXPECT_NO_THROW(throw_unless_2xx(answer(204), "x"));
  try {
    throw_unless_2xx(answer(429, "secret echo", {{"retry-after", "120"}}), "groq /audio");
    FAIL() << "a 429 passed";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kRateLimited);
    EXPECT_EQ(e.retry_after(), std::chrono::seconds(120));
    EXPECT_NE(std::string(e.what()).find("groq /audio: HTTP 429"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("secret echo"), std::string::npos) << e.what();
  }
  EXPECT_EQ(response_error(answer(503), "x").kind(), ErrorKind::kServer);
  EXPECT_EQ(response_error(answer(401), "x").kind(), ErrorKind::kAuth);
  EXPECT_EQ(response_error(answer(400), "x").kind(), ErrorKind::kClient);
  EXPECT_EQ(response_error(answer(504), "x").kind(), ErrorKind::kTimeout);
}

TEST(EngineResponse, ParseErrorsNameTheRequestAndKeepTheirKind) {
  auto parse = [](const std::string& body) -> int {
    if (body == "ok") return 7;
    throw Error(ErrorKind::kServer, "unreadable answer");
  };
  EXPECT_EQ(parse_answer(answer(200, "ok"), "deepgram /v1/listen", parse), 7);
  try {
    parse_answer(answer(200, "<html>"), "deepgram /v1/listen", parse);
    FAIL() << "an unreadable answer parsed";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kServer);
    EXPECT_STREQ(e.what(), "deepgram /v1/listen: unreadable answer");
  }
}

TEST(EngineResponse, EndpointMessageInEveryShape) {
  EXPECT_EQ(endpoint_message(R"({"error":{"message":"model not found"}})"), "model not found");
  EXPECT_EQ(endpoint_message(R"({"error":"bad temperature"})"), "bad temperature");
  EXPECT_EQ(endpoint_message(R"({"message":"no such model"})"), "no such model");
  // An error object without a message falls back to the top-level message.
  EXPECT_EQ(endpoint_message(R"({"error":{"code":1},"message":"top"})"), "top");
  EXPECT_EQ(endpoint_message(R"({"error":{"message":5}})"), "");
  EXPECT_EQ(endpoint_message("<html>Bad Gateway</html>"), "");
  EXPECT_EQ(endpoint_message(""), "");
}

TEST(EngineResponse, EndpointMessageIsCutAtACharacterAndRedacted) {
  // 299 ASCII bytes then a 2-byte character straddling the 300-byte cut.
  std::string long_msg = std::string(299, 'a') + "\xC3\xA9" + std::string(50, 'b');
  std::string got = endpoint_message(R"({"error":")" + long_msg + R"("})");
  EXPECT_EQ(got, std::string(299, 'a') + "…");

  register_secret("sk-engine-response-test-key");
  got = endpoint_message(R"({"error":{"message":"bad key sk-engine-response-test-key"}})");
  EXPECT_EQ(got.find("sk-engine-response-test-key"), std::string::npos) << got;
  EXPECT_NE(got.find("bad key"), std::string::npos) << got;
}

TEST(EngineResponse, FinishFillsLanguageDurationAndProgress) {
  AudioFile audio;
  audio.info.duration_s = 42;
  double progress = -1;
  TranscribeOptions options;
  options.language = "de";
  options.progress = [&](double p) { progress = p; };

  transcript::Transcript t;
  finish_transcript(t, audio, options);
  EXPECT_EQ(t.language, "de");
  EXPECT_EQ(t.duration, 42);
  EXPECT_EQ(progress, 1.0);

  // What the engine said wins; "auto" is no language.
  transcript::Transcript said;
  said.language = "fr";
  said.duration = 3;
  finish_transcript(said, audio, options);
  EXPECT_EQ(said.language, "fr");
  EXPECT_EQ(said.duration, 3);
  options.language = "auto";
  transcript::Transcript none;
  finish_transcript(none, audio, options);
  EXPECT_EQ(none.language, "");
}

}  // namespace
}  // namespace tgscribe::engine
