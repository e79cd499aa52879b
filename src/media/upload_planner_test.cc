#include "media/upload_planner.h"

#include <gtest/gtest.h>

namespace tgscribe::media {
namespace {

const std::vector<std::string> kGroqExts = {"flac", "mp3", "mp4", "mpeg", "mpga",
                                            "m4a",  "ogg", "wav", "webm"};
const std::vector<std::string> kOpenAiExts = {"mp3", "mp4", "mpeg", "mpga", "m4a", "wav", "webm"};

UploadTarget groq() { return {true, 25'000'000, kGroqExts, 10}; }
UploadTarget openai() { return {true, 25'000'000, kOpenAiExts, 0}; }
UploadTarget deepgram() { return {true, 2'000'000'000, {}, 0}; }

MediaInfo media(std::string container, std::string codec, double seconds, int64_t bytes,
                bool video = false) {
  MediaInfo m;
  m.container = std::move(container);
  m.audio_codec = std::move(codec);
  m.duration_s = seconds;
  m.size_bytes = bytes;
  m.sample_rate = 48000;
  m.channels = 1;
  m.has_video = video;
  return m;
}

MediaInfo voice_note() { return media("ogg", "opus", 65, 260'000); }

int64_t usable(const UploadTarget& t) { return static_cast<int64_t>(t.max_upload_bytes * 0.95); }

TEST(UploadPlannerTest, VoiceNotePassesThroughAsOgg) {
  auto plan = plan_upload(voice_note(), groq(), {});
  EXPECT_EQ(plan.kind, PlanKind::kPassThrough);
  EXPECT_EQ(plan.format.extension, "ogg");
  EXPECT_EQ(plan.format.content_type, "audio/ogg");
  EXPECT_TRUE(plan.pieces.empty());
  // Even over the compression threshold (a long voice note), it is never re-encoded.
  PlannerOptions low_threshold;
  low_threshold.compression_threshold_bytes = 100'000;
  EXPECT_EQ(plan_upload(voice_note(), groq(), low_threshold).kind, PlanKind::kPassThrough);
}

TEST(UploadPlannerTest, VoiceNoteForAnEngineWithoutOggGoesAsWebm) {
  auto plan = plan_upload(voice_note(), openai(), {});
  EXPECT_EQ(plan.kind, PlanKind::kRemux);  // the same packets: not re-encoded
  EXPECT_STREQ(to_string(plan.kind), "remux");
  ASSERT_EQ(plan.pieces.size(), 1u);  // and, for callers that re-encode, the whole file
  EXPECT_DOUBLE_EQ(plan.pieces[0].end_s, 65);
  EXPECT_EQ(plan.encode.container, Container::kWebm);
  EXPECT_EQ(plan.format.extension, "webm");
  EXPECT_EQ(plan.format.content_type, "audio/webm");
}

TEST(UploadPlannerTest, AcceptedFormatThatFitsPassesThrough) {
  auto plan = plan_upload(media("mp3", "mp3", 600, 9'600'000), groq(), {});
  EXPECT_EQ(plan.kind, PlanKind::kPassThrough);
  EXPECT_EQ(plan.format.extension, "mp3");
  EXPECT_EQ(plan.format.content_type, "audio/mpeg");
  plan = plan_upload(media("mov,mp4,m4a,3gp,3g2,mj2", "aac", 600, 5'000'000), openai(), {});
  EXPECT_EQ(plan.format.extension, "m4a");
  plan = plan_upload(media("mov,mp4,m4a,3gp,3g2,mj2", "aac", 60, 5'000'000, true), openai(), {});
  EXPECT_EQ(plan.kind, PlanKind::kPassThrough);
  EXPECT_EQ(plan.format.extension, "mp4");
  EXPECT_EQ(plan.format.content_type, "video/mp4");
}

TEST(UploadPlannerTest, UnacceptedFormatIsReencoded) {
  auto plan = plan_upload(media("matroska,webm", "aac", 60, 1'000'000, true), groq(), {});
  EXPECT_EQ(plan.kind, PlanKind::kReencode);
  EXPECT_EQ(plan.encode.codec, AudioCodec::kOpus);
  EXPECT_EQ(plan.encode.container, Container::kOgg);
  EXPECT_EQ(plan.encode.bitrate, 32000);
  EXPECT_EQ(plan.encode.sample_rate, 16000);
  EXPECT_EQ(plan.encode.channels, 1);
  ASSERT_EQ(plan.pieces.size(), 1u);
  EXPECT_DOUBLE_EQ(plan.pieces[0].start_s, 0);
  EXPECT_DOUBLE_EQ(plan.pieces[0].end_s, 60);
}

TEST(UploadPlannerTest, ThirtyMinuteWavBecomesSmallOpus) {
  const double seconds = 1800;
  auto wav = media("wav", "pcm_s16le", seconds, static_cast<int64_t>(seconds * 32000) + 44);
  auto plan = plan_upload(wav, groq(), {});
  EXPECT_EQ(plan.kind, PlanKind::kReencode);
  EXPECT_EQ(plan.format.extension, "ogg");
  EXPECT_EQ(plan.encode.bitrate, 32000);  // fits at the default: not lowered
  EXPECT_LT(plan.estimated_piece_bytes, usable(groq()));
  EXPECT_LT(plan.estimated_piece_bytes, 8'000'000);  // ~7.5 MB instead of 57.6 MB
}

TEST(UploadPlannerTest, BitrateIsLoweredOnlyAsFarAsNeeded) {
  // 50 minutes into 10 MB: 32 kbit/s is 12 MB, so the planner picks the highest whole
  // kbit/s that fits with the margin.
  UploadTarget small{true, 10'000'000, kGroqExts, 0};
  PlannerOptions o;
  auto plan = plan_upload(media("wav", "pcm_s16le", 3000, 96'000'000), small, o);
  ASSERT_EQ(plan.kind, PlanKind::kReencode);
  EXPECT_LT(plan.encode.bitrate, 32000);
  EXPECT_GE(plan.encode.bitrate, o.min_bitrate);
  EXPECT_EQ(plan.encode.bitrate % 1000, 0);
  EXPECT_LE(estimate_encoded_bytes(plan.encode, 3000, o), usable(small));
  EncodeOptions one_more = plan.encode;
  one_more.bitrate += 1000;
  EXPECT_GT(estimate_encoded_bytes(one_more, 3000, o), usable(small));
}

TEST(UploadPlannerTest, UserBitrateCapIsAnUpperBound) {
  PlannerOptions o;
  o.bitrate_cap = 16000;
  auto plan = plan_upload(media("aiff", "pcm_s16be", 60, 1'920'044), groq(), o);
  EXPECT_EQ(plan.kind, PlanKind::kReencode);
  EXPECT_EQ(plan.encode.bitrate, 16000);
  o.bitrate_cap = 96000;  // the default cap does not raise the 32 kbit/s default
  EXPECT_EQ(plan_upload(media("aiff", "pcm_s16be", 60, 1'920'044), groq(), o).encode.bitrate,
            32000);
}

TEST(UploadPlannerTest, OverTheCompressionThresholdIsReencodedEvenIfAccepted) {
  auto plan = plan_upload(media("mp3", "mp3", 2000, 32'000'000), deepgram(), {});
  EXPECT_EQ(plan.kind, PlanKind::kReencode);
  EXPECT_EQ(plan.format.extension, "ogg");  // Deepgram takes anything
}

TEST(UploadPlannerTest, ThreeHourFileIsChunked) {
  const double seconds = 3 * 3600;
  std::vector<Interval> silences;
  for (double t = 30; t < seconds; t += 45) silences.push_back({t, t + 1.5});
  auto info = media("mp3", "mp3", seconds, static_cast<int64_t>(seconds * 8000));
  for (const auto& target : {groq(), openai()}) {
    auto plan = plan_upload(info, target, {}, silences);
    ASSERT_EQ(plan.kind, PlanKind::kChunks);
    ASSERT_GE(plan.pieces.size(), 3u);
    EXPECT_EQ(plan.encode.bitrate, 32000);
    EXPECT_LE(plan.estimated_piece_bytes, usable(target));
    EXPECT_NEAR(plan.pieces.front().start_s, 0, 1e-9);
    EXPECT_GE(plan.pieces.back().end_s, seconds - 1.5);
    for (size_t i = 0; i < plan.pieces.size(); ++i) {
      const auto& p = plan.pieces[i];
      EXPECT_LE(estimate_encoded_bytes(plan.encode, p.end_s - p.start_s, {}), usable(target));
      EXPECT_LE(p.end_s - p.start_s, 3600 + 1e-9);
      if (i + 1 < plan.pieces.size()) {
        EXPECT_GE(p.end_s - p.start_s, target.min_billed_s);
        // Cut inside a pause.
        const double cut = (p.end_s + plan.pieces[i + 1].start_s) / 2;
        bool in_pause = false;
        for (const auto& s : silences) in_pause |= cut > s.start_s && cut < s.end_s;
        EXPECT_TRUE(in_pause) << cut;
      }
    }
  }
}

TEST(UploadPlannerTest, SmallLimitChunksAtTheDefaultBitrateWhenTheFloorIsNotEnough) {
  UploadTarget tiny{true, 1'000'000, kGroqExts, 10};
  auto plan = plan_upload(media("wav", "pcm_s16le", 1200, 38'400'044), tiny, {});
  ASSERT_EQ(plan.kind, PlanKind::kChunks);
  EXPECT_EQ(plan.encode.bitrate, 32000);
  EXPECT_LE(plan.estimated_piece_bytes, usable(tiny));
  double covered = 0;
  for (const auto& p : plan.pieces) covered += p.end_s - p.start_s;
  EXPECT_GE(covered, 1200);  // everything is sent (overlaps count twice)
}

TEST(UploadPlannerTest, LeadingAndTrailingSilenceIsNotSent) {
  std::vector<Interval> silences = {{0, 20}, {100, 102}, {280, 300}};
  auto plan = plan_upload(media("aiff", "pcm_s16be", 300, 9'600'044), openai(), {}, silences);
  ASSERT_EQ(plan.kind, PlanKind::kReencode);
  ASSERT_EQ(plan.pieces.size(), 1u);
  EXPECT_NEAR(plan.pieces[0].start_s, 19.7, 1e-9);
  EXPECT_NEAR(plan.pieces[0].end_s, 280.3, 1e-9);
}

TEST(UploadPlannerTest, AllSilenceIsEmpty) {
  auto plan = plan_upload(media("wav", "pcm_s16le", 30, 960'044), openai(), {}, {{0, 30}});
  EXPECT_TRUE(plan.empty);
  plan = plan_upload(media("aiff", "pcm_s16be", 30, 960'044), openai(), {}, {{0, 30}});
  EXPECT_TRUE(plan.empty);
  EXPECT_TRUE(plan.pieces.empty());
  // No silence found at all is not "empty".
  EXPECT_FALSE(plan_upload(media("aiff", "pcm_s16be", 30, 960'044), openai(), {}, {}).empty);
}

TEST(UploadPlannerTest, UnknownDurationIsNotMistakenForSilence) {
  auto plan = plan_upload(media("aiff", "pcm_s16be", 0, 960'044), openai(), {}, {});
  EXPECT_FALSE(plan.empty);
  EXPECT_EQ(plan.kind, PlanKind::kReencode);
  ASSERT_EQ(plan.pieces.size(), 1u);
  EXPECT_LT(plan.pieces[0].end_s, 0);  // to the end
}

TEST(UploadPlannerTest, EmbeddedEngineAlwaysGetsTheFile) {
  UploadTarget sphinx{false, 0, {}, 0};
  auto plan = plan_upload(media("matroska,webm", "aac", 20000, 3'000'000'000), sphinx, {});
  EXPECT_EQ(plan.kind, PlanKind::kPassThrough);
  EXPECT_EQ(plan.format.extension, "mkv");
}

TEST(UploadPlannerTest, FlacOnlyWhenConfigured) {
  PlannerOptions o;
  o.use_flac = true;
  auto plan = plan_upload(media("aiff", "pcm_s16be", 300, 9'600'044), openai(), o);
  // FLAC is not on this engine's list: Opus (in WebM) it is.
  EXPECT_EQ(plan.encode.codec, AudioCodec::kOpus);
  EXPECT_EQ(plan.format.extension, "webm");
  plan = plan_upload(media("aiff", "pcm_s16be", 300, 9'600'044), groq(), o);
  EXPECT_EQ(plan.encode.codec, AudioCodec::kFlac);
  EXPECT_EQ(plan.format.extension, "flac");
  EXPECT_EQ(plan.format.content_type, "audio/flac");
  // A long file in FLAC does not fit 25 MB in one piece: chunks.
  plan = plan_upload(media("aiff", "pcm_s16be", 3000, 96'000'044), groq(), o);
  EXPECT_EQ(plan.kind, PlanKind::kChunks);
  EXPECT_LE(plan.estimated_piece_bytes, usable(groq()));
}

TEST(UploadFormatTest, MapsContainersAndCodecs) {
  EXPECT_EQ(upload_format(media("ogg", "vorbis", 1, 1)).extension, "ogg");
  EXPECT_EQ(upload_format(media("flac", "flac", 1, 1)).content_type, "audio/flac");
  EXPECT_EQ(upload_format(media("wav", "pcm_s16le", 1, 1)).extension, "wav");
  EXPECT_EQ(upload_format(media("matroska,webm", "opus", 1, 1)).extension, "webm");
  EXPECT_EQ(upload_format(media("matroska,webm", "opus", 1, 1, true)).content_type, "video/webm");
  EXPECT_EQ(upload_format(media("matroska,webm", "aac", 1, 1)).extension, "mkv");
  EXPECT_EQ(upload_format(AudioCodec::kOpus, Container::kWebm).content_type, "audio/webm");
  EXPECT_TRUE(is_ogg_opus(voice_note()));
  EXPECT_FALSE(is_ogg_opus(media("ogg", "vorbis", 1, 1)));
}

}  // namespace
}  // namespace tgscribe::media
