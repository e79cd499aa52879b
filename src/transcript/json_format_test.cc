#include "transcript/json_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace tgscribe::transcript {
namespace {

Transcript sample() {
  Transcript t;
  t.language = "id";
  t.duration = 12.345;
  t.engine = "groq";
  t.model = "whisper-large-v3-turbo";
  Segment a;
  a.start = 0.0;
  a.end = 2.5;
  a.text = "Halo \"dunia\"\n\\ 你好 👩‍👩‍👧";
  a.avg_logprob = -0.25;
  a.no_speech_prob = 0.01;
  a.compression_ratio = 1.5;
  a.words = {{0.0, 1.0, "Halo", 0.9}, {1.0, 2.5, "dunia", -1}};
  Segment b;
  b.start = 3.125;
  b.end = 12.0;
  b.text = "Terima kasih.";
  t.segments = {a, b};
  return t;
}

TEST(JsonFormat, RoundTripKeepsEveryField) {
  Transcript t = sample();
  for (bool pretty : {true, false}) {
    Transcript r = from_json(to_json(t, "voice.ogg", pretty));
    EXPECT_EQ(r.language, t.language);
    EXPECT_DOUBLE_EQ(r.duration, t.duration);
    EXPECT_EQ(r.engine, t.engine);
    EXPECT_EQ(r.model, t.model);
    ASSERT_EQ(r.segments.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_DOUBLE_EQ(r.segments[i].start, t.segments[i].start);
      EXPECT_DOUBLE_EQ(r.segments[i].end, t.segments[i].end);
      EXPECT_EQ(r.segments[i].text, t.segments[i].text);
      EXPECT_EQ(r.segments[i].avg_logprob, t.segments[i].avg_logprob);
      EXPECT_EQ(r.segments[i].no_speech_prob, t.segments[i].no_speech_prob);
      EXPECT_EQ(r.segments[i].compression_ratio, t.segments[i].compression_ratio);
      ASSERT_EQ(r.segments[i].words.size(), t.segments[i].words.size());
      for (size_t k = 0; k < t.segments[i].words.size(); ++k) {
        EXPECT_EQ(r.segments[i].words[k].text, t.segments[i].words[k].text);
        EXPECT_DOUBLE_EQ(r.segments[i].words[k].start, t.segments[i].words[k].start);
        EXPECT_DOUBLE_EQ(r.segments[i].words[k].end, t.segments[i].words[k].end);
        EXPECT_DOUBLE_EQ(r.segments[i].words[k].confidence, t.segments[i].words[k].confidence);
      }
    }
  }
}

TEST(JsonFormat, HasContractFields) {
  auto j = nlohmann::json::parse(to_json(sample(), "a/b.ogg"));
  EXPECT_EQ(j["file"], "a/b.ogg");
  EXPECT_EQ(j["language"], "id");
  EXPECT_TRUE(j["duration"].is_number());
  EXPECT_EQ(j["engine"], "groq");
  EXPECT_EQ(j["text"], sample().text());
  ASSERT_TRUE(j["segments"].is_array());
  EXPECT_TRUE(j["segments"][0]["start"].is_number());
  EXPECT_TRUE(j["segments"][0]["end"].is_number());
  EXPECT_TRUE(j["segments"][0]["words"].is_array());
  EXPECT_FALSE(j["segments"][1].contains("words"));
  EXPECT_FALSE(j["segments"][1].contains("avg_logprob"));
  // No file name given: no "file" key.
  EXPECT_FALSE(nlohmann::json::parse(to_json(sample())).contains("file"));
}

TEST(JsonFormat, InvalidUtf8IsReplacedNotThrown) {
  Transcript t;
  t.segments.push_back({0, 1, std::string("ok \xff\xfe bad \xc3", 9)});
  std::string out;
  ASSERT_NO_THROW(out = to_json(t, std::string("f\x80.ogg")));
  auto j = nlohmann::json::parse(out);  // throws on invalid UTF-8
  std::string text = j["segments"][0]["text"];
  EXPECT_NE(text.find("ok "), std::string::npos);
  EXPECT_NE(text.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
}

TEST(JsonFormat, NonFiniteNumbersStayValidJson) {
  Transcript t;
  t.duration = std::numeric_limits<double>::quiet_NaN();
  Segment s{0, std::numeric_limits<double>::infinity(), "x"};
  s.avg_logprob = std::numeric_limits<double>::quiet_NaN();
  t.segments.push_back(s);
  auto j = nlohmann::json::parse(to_json(t));
  EXPECT_TRUE(j["duration"].is_number());
  EXPECT_TRUE(j["segments"][0]["end"].is_number());
  EXPECT_FALSE(j["segments"][0].contains("avg_logprob"));
}

TEST(JsonFormat, FromJsonRejectsGarbage) {
  EXPECT_THROW(from_json("not json"), std::runtime_error);
  EXPECT_THROW(from_json("[1,2]"), std::runtime_error);
  EXPECT_THROW(from_json(R"({"segments": 3})"), std::runtime_error);
  // Missing optional fields are fine.
  Transcript t = from_json(R"({"segments":[{"start":1,"end":2,"text":"hi"}]})");
  ASSERT_EQ(t.segments.size(), 1u);
  EXPECT_EQ(t.segments[0].text, "hi");
  EXPECT_FALSE(t.segments[0].avg_logprob.has_value());
}

}  // namespace
}  // namespace tgscribe::transcript
