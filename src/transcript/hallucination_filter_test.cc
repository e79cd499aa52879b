#include "transcript/hallucination_filter.h"

#include <gtest/gtest.h>

namespace tgscribe::transcript {
namespace {

Segment seg(std::string text, std::optional<double> no_speech, std::optional<double> logprob,
            std::optional<double> ratio = std::nullopt) {
  Segment s{0, 1, std::move(text)};
  s.no_speech_prob = no_speech;
  s.avg_logprob = logprob;
  s.compression_ratio = ratio;
  return s;
}

TEST(HallucinationFilter, NoSpeechNeedsBothSignals) {
  EXPECT_EQ(classify_segment(seg("hello there", 0.9, -1.5)), DropReason::kNoSpeech);
  // Confident text over a noisy background is kept...
  EXPECT_EQ(classify_segment(seg("hello there", 0.9, -0.3)), DropReason::kKeep);
  // ...and so is unsure text where the model heard speech.
  EXPECT_EQ(classify_segment(seg("hello there", 0.1, -1.5)), DropReason::kKeep);
  // Right at the thresholds: kept (strict comparisons, as Whisper does).
  EXPECT_EQ(classify_segment(seg("hello", kNoSpeechProbThreshold, kLowAvgLogprob - 0.01)),
            DropReason::kKeep);
}

TEST(HallucinationFilter, RepetitionByCompressionRatio) {
  EXPECT_EQ(classify_segment(seg("the the the the the the the", 0.0, -0.2, 3.1)),
            DropReason::kRepetition);
  EXPECT_EQ(classify_segment(seg("a normal sentence", 0.0, -0.2, 1.3)), DropReason::kKeep);
}

TEST(HallucinationFilter, SilencePhrasesOnlyWhenUnsure) {
  EXPECT_TRUE(is_silence_phrase("Thanks for watching!"));
  EXPECT_TRUE(is_silence_phrase("  THANK YOU FOR WATCHING. "));
  EXPECT_TRUE(is_silence_phrase("Subtitles by the Amara.org community"));
  EXPECT_TRUE(is_silence_phrase("Thank you. Bye."));
  EXPECT_TRUE(is_silence_phrase("Terima kasih telah menonton!"));
  EXPECT_TRUE(is_silence_phrase("ご視聴ありがとうございました"));
  EXPECT_FALSE(is_silence_phrase("Thanks for watching my dog while I was away"));
  EXPECT_FALSE(is_silence_phrase("you know what I mean"));
  EXPECT_FALSE(is_silence_phrase(""));

  EXPECT_EQ(classify_segment(seg("Thanks for watching!", 0.3, -0.4)), DropReason::kSilencePhrase);
  EXPECT_EQ(classify_segment(seg("Thank you.", 0.05, -0.7)), DropReason::kSilencePhrase);
  // A confident "Thank you." is what the speaker said.
  EXPECT_EQ(classify_segment(seg("Thank you.", 0.01, -0.1)), DropReason::kKeep);
  // Engines without quality figures: never dropped for content.
  EXPECT_EQ(classify_segment(seg("Thanks for watching!", std::nullopt, std::nullopt)),
            DropReason::kKeep);
}

TEST(HallucinationFilter, FilterKeepsOrderAndCounts) {
  Transcript t;
  t.language = "en";
  t.segments = {seg("Real speech one.", 0.01, -0.2), seg("Thanks for watching!", 0.7, -1.2),
                seg("   ", std::nullopt, std::nullopt), seg("Real speech two.", 0.02, -0.3),
                seg("la la la la la la", 0.1, -0.3, 2.9)};
  FilterStats stats;
  Transcript out = filter_hallucinations(t, &stats);
  ASSERT_EQ(out.segments.size(), 2u);
  EXPECT_EQ(out.segments[0].text, "Real speech one.");
  EXPECT_EQ(out.segments[1].text, "Real speech two.");
  EXPECT_EQ(stats.kept, 2);
  EXPECT_EQ(stats.dropped, 3);
  EXPECT_EQ(out.language, "en");
  EXPECT_STREQ(to_string(classify_segment(t.segments[1])), "no_speech");
}

}  // namespace
}  // namespace tgscribe::transcript
