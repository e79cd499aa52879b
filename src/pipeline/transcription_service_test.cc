#include "pipeline/transcription_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>

#include "common/error.h"
#include "common/metrics.h"
#include "common/sha256.h"
#include "engine/engine_factory.h"
#include "engine/testing/fake_deepgram.h"
#include "engine/testing/fake_openai.h"
#include "media/media_info.h"
#include "media/testing/media_fixtures.h"
#include "pipeline/testing/failing_transcript_cache.h"
#include "store/inflight.h"
#include "store/memory/memory_transcript_cache.h"
#include "support/test_util.h"

namespace tgscribe::pipeline {
namespace {

namespace fs = std::filesystem;
using engine::testing::FakeDeepgram;
using engine::testing::FakeOpenAi;
using engine::testing::FakeOpenAiOptions;
using engine::testing::FakeReply;
using engine::testing::FakeRequest;

constexpr double kSpeechAt[] = {3600, 7200};  // speech regions inside the 3-hour recording

// Real media, generated once for the whole binary with espeak-ng and the ffmpeg CLI.
struct Media {
  tgscribe::testing::TempDir dir;
  fs::path voice = dir / "voice.oga";          // Telegram voice note: Ogg/Opus, ~4 s
  fs::path speech = dir / "speech.wav";        // 16 kHz mono speech, ~9 s
  fs::path long_wav = dir / "long30.wav";      // 30 min WAV (57.6 MB): speech, then silence
  fs::path three_h = dir / "three_hours.mka";  // 3 h FLAC: speech at 0, 1 h, 2 h, the end
  fs::path silent = dir / "silent.wav";        // 120 s of digital silence
  fs::path two_part = dir / "two_part.wav";    // speech, 30 s of silence, speech
  double speech_s = 0;
  double three_h_s = 0;
};

const Media& media_files() {
  static std::once_flag once;
  static std::unique_ptr<Media> m;
  std::call_once(once, [] {
    m = std::make_unique<Media>();
    using media::testing::run_ffmpeg;
    const std::string text =
        "The quick brown fox jumps over the lazy dog. Then it runs far away into the forest.";
    bool ok = tgscribe::testing::make_speech(text, m->voice, {"-ac", "1", "-ar", "48000"}) &&
              tgscribe::testing::make_speech(text, m->speech, {"-ac", "1", "-ar", "16000"});
    ASSERT_TRUE(ok) << "cannot generate speech";
    m->speech_s = media::probe_file(m->speech, {}).duration_s;
    ASSERT_TRUE(run_ffmpeg({"-i", m->speech.string(), "-af", "apad=whole_dur=1800", "-c:a",
                            "pcm_s16le", m->long_wav.string()}));
    ASSERT_TRUE(run_ffmpeg({"-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "120", "-c:a",
                            "pcm_s16le", m->silent.string()}));
    ASSERT_TRUE(run_ffmpeg({"-i", m->speech.string(), "-f", "lavfi", "-t", "30", "-i",
                            "anullsrc=r=16000:cl=mono", "-i", m->speech.string(), "-filter_complex",
                            "[0:a][1:a][2:a]concat=n=3:v=0:a=1", "-c:a", "pcm_s16le",
                            m->two_part.string()}));
    // 3 hours cheaply: 10-minute blocks of FLAC silence and the speech, stream-copied together.
    fs::path sil = m->dir / "sil600.flac", sp = m->dir / "speech.flac";
    ASSERT_TRUE(run_ffmpeg({"-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "600", "-c:a",
                            "flac", sil.string()}));
    ASSERT_TRUE(run_ffmpeg({"-i", m->speech.string(), "-c:a", "flac", sp.string()}));
    std::string list = "file '" + sp.string() + "'\n";
    for (int block = 0; block < 3; ++block) {
      for (int i = 0; i < 6; ++i) list += "file '" + sil.string() + "'\n";
      list += "file '" + sp.string() + "'\n";
    }
    tgscribe::testing::write_file(m->dir / "list.txt", list);
    ASSERT_TRUE(run_ffmpeg({"-f", "concat", "-safe", "0", "-i", (m->dir / "list.txt").string(),
                            "-c", "copy", m->three_h.string()}));
    m->three_h_s = media::probe_file(m->three_h, {}).duration_s;
  });
  return *m;
}

class TranscriptionServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    media_files();
    ASSERT_FALSE(HasFatalFailure());
    config.data_dir = (dir / "data").string();
    config.transcriber = "groq";
    config.groq_api_key = "test-openai-key";
    config.openai_api_key = "test-openai-key";
    config.deepgram_api_key = "test-deepgram-key";
    config.engine_max_retries = 1;
  }

  std::unique_ptr<TranscriptionService> service(store::TranscriptCache* cache = nullptr,
                                                store::InflightRegistry* inflight = nullptr) {
    // The service owns the engines (and their HTTP connections); tests declare it after the
    // fake servers, so connections close before the servers stop.
    return std::make_unique<TranscriptionService>(config, engine::make_engine_chain(config), cache,
                                                  inflight);
  }

  Request request_for(const fs::path& p) {
    Request r;
    r.path = p;
    r.filename = p.filename().string();
    r.progress = [this](const Progress& pr) {
      std::lock_guard lock(progress_mutex);
      progress.push_back(pr);
    };
    return r;
  }

  void expect_no_temp_files() {
    fs::path tmp = fs::path(config.data_dir) / "tmp";
    if (!fs::exists(tmp)) return;
    for (const auto& e : fs::recursive_directory_iterator(tmp)) {
      ADD_FAILURE() << "left behind: " << e.path();
    }
  }

  void expect_sane_progress() {
    ASSERT_FALSE(progress.empty());
    for (size_t i = 1; i < progress.size(); ++i) {
      EXPECT_GE(progress[i].fraction, progress[i - 1].fraction) << i;
    }
    EXPECT_DOUBLE_EQ(progress.back().fraction, 1.0);
  }

  tgscribe::testing::TempDir dir;
  config::Config config;
  std::mutex progress_mutex;
  std::vector<Progress> progress;
};

TEST_F(TranscriptionServiceTest, VoiceNoteIsPassedThroughByteForByte) {
  FakeOpenAi groq;
  groq.set_text("The quick brown fox. Runs away.");
  groq.start();
  config.groq_api_url = groq.url();
  auto svc = service();
  const auto& m = media_files();
  Result r = svc->transcribe(request_for(m.voice));

  ASSERT_EQ(groq.requests().size(), 1u);
  const FakeRequest sent = groq.requests()[0];
  EXPECT_TRUE(sent.problems.empty()) << sent.problems.front();
  EXPECT_EQ(sent.sha256, sha256_file(m.voice.string()));  // never re-encoded
  EXPECT_EQ(sent.filename, "voice.ogg");
  EXPECT_EQ(r.chunks, 1);
  EXPECT_EQ(r.bytes_uploaded, static_cast<int64_t>(fs::file_size(m.voice)));
  EXPECT_EQ(r.transcript.text(), "The quick brown fox. Runs away.");
  EXPECT_EQ(r.transcript.engine, "groq");
  EXPECT_NEAR(r.transcript.duration, r.info.duration_s, 1e-9);
  expect_sane_progress();
  expect_no_temp_files();
}

TEST_F(TranscriptionServiceTest, VoiceNoteIsRemuxedToWebmForOpenAi) {
  FakeOpenAiOptions fo;
  fo.accepted_extensions = {"mp3", "mp4", "mpeg", "mpga", "m4a", "wav", "webm"};  // no ogg
  FakeOpenAi openai(fo);
  openai.start();
  config.transcriber = "openai";
  config.openai_api_url = openai.url();
  auto svc = service();
  Result r = svc->transcribe(request_for(media_files().voice));
  ASSERT_EQ(openai.requests().size(), 1u);
  const FakeRequest sent = openai.requests()[0];
  EXPECT_TRUE(sent.problems.empty()) << sent.problems.front();
  EXPECT_EQ(sent.filename, "voice.webm");
  EXPECT_EQ(sent.content_type, "audio/webm");
  EXPECT_EQ(sent.codec, "opus");
  EXPECT_GT(sent.duration_s, 1.0);
  EXPECT_FALSE(r.transcript.segments.empty());
  expect_no_temp_files();
}

TEST_F(TranscriptionServiceTest, ThirtyMinuteWavBecomesOneSmallOpusUpload) {
  FakeOpenAi groq;
  groq.start();
  config.groq_api_url = groq.url();
  auto svc = service();
  const auto& m = media_files();
  ASSERT_GT(fs::file_size(m.long_wav), 25'000'000u);  // too big to send as it is
  Result r = svc->transcribe(request_for(m.long_wav));

  ASSERT_EQ(groq.requests().size(), 1u);
  const FakeRequest sent = groq.requests()[0];
  EXPECT_TRUE(sent.problems.empty()) << sent.problems.front();
  EXPECT_EQ(sent.codec, "opus");
  EXPECT_EQ(fs::path(sent.filename).extension(), ".ogg");
  EXPECT_LT(sent.size, 25'000'000);
  // The trailing half hour of silence is trimmed, not sent.
  EXPECT_LT(sent.duration_s, m.speech_s + 2);
  EXPECT_GT(sent.duration_s, m.speech_s - 2);
  EXPECT_NEAR(r.transcript.duration, 1800, 0.5);  // the original's duration
  ASSERT_FALSE(r.transcript.segments.empty());
  EXPECT_LE(r.transcript.segments.back().end, m.speech_s + 2);
  expect_no_temp_files();
}

TEST_F(TranscriptionServiceTest, BitrateIsLoweredToFitTheLimit) {
  FakeOpenAi groq;
  groq.start();
  config.groq_api_url = groq.url();
  // ~9 s of speech at 32 kbit/s is ~36 kB; 40 kB minus the 5% margin and 16 kB of overhead
  // leaves room for ~20 kbit/s only.
  config.api_max_upload_mb = 0.04;
  auto svc = service();
  const auto& m = media_files();
  Result r = svc->transcribe(request_for(m.speech));
  ASSERT_EQ(groq.requests().size(), 1u);
  const FakeRequest sent = groq.requests()[0];
  EXPECT_TRUE(sent.problems.empty()) << sent.problems.front();
  EXPECT_LE(sent.size, 40'000);
  EXPECT_EQ(sent.codec, "opus");
  EXPECT_NEAR(sent.duration_s, m.speech_s, 1.5);
  expect_no_temp_files();
}

TEST_F(TranscriptionServiceTest, ThreeHoursAreChunkedAtSilencesWithTrueTimestamps) {
  FakeOpenAi groq;
  groq.start();
  config.groq_api_url = groq.url();
  config.api_max_upload_mb = 0.1;  // ~18 s per chunk: small uploads, cheap to encode
  config.engine_concurrency = 3;
  // Like a real engine, each chunk answers only where it hears speech: one segment per 2 s.
  groq.set_responder([](const FakeRequest& req) {
    std::vector<transcript::Segment> segs;
    for (const auto& [from, to] : req.speech) {
      for (double t = from; t + 0.5 < to; t += 2) {
        transcript::Segment s;
        s.start = t;
        s.end = std::min(to, t + 2);
        s.text = "words";
        segs.push_back(s);
      }
    }
    return FakeReply::with_segments(segs, "en");
  });
  auto svc = service();
  const auto& m = media_files();
  ASSERT_GT(m.three_h_s, 10700);
  Result r = svc->transcribe(request_for(m.three_h));

  auto reqs = groq.requests();
  // Several chunks; the silence between speech regions is left out, so regions an hour apart
  // may share one request (fewer requests billed at Groq's 10 s minimum).
  ASSERT_GE(reqs.size(), 2u);
  double sent_s = 0;
  for (const auto& q : reqs) {
    EXPECT_TRUE(q.problems.empty()) << q.problems.front();
    EXPECT_LE(q.size, 100'000);
    sent_s += q.duration_s;
  }
  // Hours of silence are skipped: only the four speech regions, each padded to at most one
  // chunk (Groq bills 10 s per request anyway), are sent.
  EXPECT_LT(sent_s, 4 * 20);
  EXPECT_EQ(r.chunks, static_cast<int>(reqs.size()));
  EXPECT_NEAR(r.transcript.duration, m.three_h_s, 0.5);

  // Every merged segment lies in one of the speech regions of the original timeline.
  const double regions[] = {0, kSpeechAt[0] + m.speech_s, kSpeechAt[1] + 2 * m.speech_s,
                            10800 + 3 * m.speech_s};
  int in_region[4] = {0, 0, 0, 0};
  double last_start = -1;
  for (const auto& s : r.transcript.segments) {
    EXPECT_GE(s.start, last_start);  // in order
    last_start = s.start;
    bool placed = false;
    for (int k = 0; k < 4; ++k) {
      if (s.start >= regions[k] - 1.5 && s.end <= regions[k] + m.speech_s + 1.5) {
        ++in_region[k];
        placed = true;
      }
    }
    EXPECT_TRUE(placed) << "segment at " << s.start << "-" << s.end;
  }
  for (int k = 0; k < 4; ++k) EXPECT_GT(in_region[k], 0) << "region " << k;
  // No duplicates from overlapping chunks: at most one segment per 2 s of speech (+ edges).
  for (int k = 0; k < 4; ++k) EXPECT_LE(in_region[k], m.speech_s / 2 + 3) << "region " << k;
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().chunks_total, r.chunks);
  EXPECT_EQ(progress.back().chunks_done, r.chunks);
  expect_sane_progress();
  expect_no_temp_files();
}

TEST_F(TranscriptionServiceTest, SilenceIsNotSent) {
  FakeOpenAi groq;
  groq.start();
  config.groq_api_url = groq.url();
  config.api_max_upload_mb = 1;  // the 3.8 MB WAV does not fit as it is
  auto svc = service();
  Result r = svc->transcribe(request_for(media_files().silent));
  EXPECT_TRUE(groq.requests().empty());
  EXPECT_TRUE(r.transcript.segments.empty());
  EXPECT_NEAR(r.transcript.duration, 120, 0.5);
  expect_no_temp_files();
}

TEST_F(TranscriptionServiceTest, HallucinatedSegmentsAreDropped) {
  FakeOpenAi groq;
  groq.start();
  config.groq_api_url = groq.url();
  auto seg = [](double start, std::string text, double no_speech, double logprob, double ratio) {
    transcript::Segment s;
    s.start = start;
    s.end = start + 1;
    s.text = std::move(text);
    s.no_speech_prob = no_speech;
    s.avg_logprob = logprob;
    s.compression_ratio = ratio;
    return s;
  };
  groq.script_next(FakeReply::with_segments(
      {seg(0, "The quick brown fox.", 0.01, -0.2, 1.3),
       seg(1, "Thanks for watching!", 0.9, -1.4, 1.1),  // Whisper on silence
       seg(2, "Runs away.", 0.02, -0.3, 1.2),
       seg(3, "the the the the the the the the the the the the", 0.1, -0.4, 3.1)},  // a loop
      "en"));
  auto svc = service();
  Result r = svc->transcribe(request_for(media_files().voice));
  EXPECT_EQ(r.transcript.text(), "The quick brown fox. Runs away.");
  ASSERT_EQ(r.transcript.segments.size(), 2u);
}

TEST_F(TranscriptionServiceTest, FallsBackToTheNextEngine) {
  FakeOpenAi groq;
  groq.start();
  FakeDeepgram deepgram;
  deepgram.start();
  config.groq_api_url = groq.url();
  config.deepgram_api_url = deepgram.url();
  config.transcriber_fallback = {"deepgram"};
  config.engine_max_retries = 1;
  groq.script_next(FakeReply::error(503, "0"));
  groq.script_next(FakeReply::drop());
  auto svc = service();
  const auto& m = media_files();
  Result r = svc->transcribe(request_for(m.voice));
  EXPECT_EQ(groq.requests().size(), 2u);  // first try + one retry
  ASSERT_EQ(deepgram.requests().size(), 1u);
  EXPECT_TRUE(deepgram.requests()[0].problems.empty()) << deepgram.requests()[0].problems.front();
  EXPECT_EQ(deepgram.requests()[0].sha256, sha256_file(m.voice.string()));
  EXPECT_EQ(deepgram.requests()[0].content_type, "audio/ogg");
  EXPECT_EQ(r.transcript.engine, "deepgram");
  EXPECT_FALSE(r.transcript.segments.empty());
}

TEST_F(TranscriptionServiceTest, FailureNamesTheEnginesAndCleansUp) {
  FakeOpenAi groq;
  groq.start();
  config.groq_api_url = groq.url();
  config.engine_max_retries = 0;
  config.api_max_upload_mb = 0.1;
  groq.set_responder([](const FakeRequest&) { return FakeReply::error(500); });
  auto svc = service();
  try {
    svc->transcribe(request_for(media_files().two_part));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kServer);
    EXPECT_NE(std::string(e.what()).find("groq"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("500"), std::string::npos) << e.what();
  }
  expect_no_temp_files();
}

TEST_F(TranscriptionServiceTest, TranslationGoesToTheTranslationsEndpoint) {
  FakeOpenAi groq;
  groq.start();
  config.groq_api_url = groq.url();
  config.groq_model = "whisper-large-v3";
  auto svc = service();
  Request req = request_for(media_files().voice);
  req.translate = true;
  Result r = svc->transcribe(req);
  ASSERT_EQ(groq.requests().size(), 1u);
  EXPECT_EQ(groq.requests()[0].path, "/v1/audio/translations");
  EXPECT_EQ(r.transcript.language, "en");
}

TEST_F(TranscriptionServiceTest, CancellationStopsTheJobAndRemovesTempFiles) {
  FakeOpenAi groq;
  groq.start();
  config.groq_api_url = groq.url();
  config.api_max_upload_mb = 0.1;
  config.engine_concurrency = 1;
  std::atomic<bool> cancel{false};
  groq.set_responder([&](const FakeRequest&) {
    cancel = true;  // the user cancels while the first chunk is being transcribed
    return FakeReply::transcript();
  });
  auto svc = service();
  Request req = request_for(media_files().two_part);
  req.cancelled = [&] { return cancel.load(); };
  try {
    svc->transcribe(req);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCancelled);
  }
  EXPECT_EQ(groq.requests().size(), 1u);
  expect_no_temp_files();
}

TEST_F(TranscriptionServiceTest, SecondRequestIsAnsweredFromTheCache) {
  FakeOpenAi groq;
  groq.start();
  config.groq_api_url = groq.url();
  store::MemoryTranscriptCache cache(10, 3600);
  auto svc = service(&cache);
  Request req = request_for(media_files().voice);
  req.use_cache = true;
  Result first = svc->transcribe(req);
  Result second = svc->transcribe(req);
  EXPECT_FALSE(first.cache_hit);
  EXPECT_TRUE(second.cache_hit);
  EXPECT_EQ(second.transcript.text(), first.transcript.text());
  EXPECT_EQ(groq.requests().size(), 1u);
}

TEST_F(TranscriptionServiceTest, FallbacksTranscriptIsCachedUnderItsOwnKey) {
  FakeOpenAi groq;
  groq.start();
  FakeDeepgram deepgram;
  deepgram.start();
  config.groq_api_url = groq.url();
  config.deepgram_api_url = deepgram.url();
  config.transcriber_fallback = {"deepgram"};
  groq.script_next(FakeReply::error(503, "0"));
  groq.script_next(FakeReply::drop());
  store::MemoryTranscriptCache cache(10, 3600);
  auto svc = service(&cache);
  const auto& m = media_files();
  Request req = request_for(m.voice);
  req.file_unique_id = "AgADvoice";
  req.user_id = 7;
  Result first = svc->transcribe(req);
  ASSERT_EQ(first.transcript.engine, "deepgram");
  EXPECT_EQ(first.sha256, sha256_file(m.voice.string()));

  const std::string sha = first.sha256;
  EXPECT_FALSE(cache.get(svc->content_key(sha, req))) << "not passed off as groq's";
  EXPECT_TRUE(
      cache.get(store::make_content_key(sha, "deepgram", config.deepgram_model, "", false)));
  // An instance without engines finds it by the file id alone.
  ResultCache ingest(config, &cache);
  auto hit = ingest.lookup_file("AgADvoice", "");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->engine, "deepgram");
  EXPECT_EQ(hit->text(), first.transcript.text());

  Result second = svc->transcribe(req);
  EXPECT_TRUE(second.cache_hit);
  EXPECT_EQ(groq.requests().size(), 2u);
  EXPECT_EQ(deepgram.requests().size(), 1u);
}

TEST_F(TranscriptionServiceTest, CacheOutageDoesNotFailTheJob) {
  FakeOpenAi groq;
  groq.set_text("Still transcribed.");
  groq.start();
  config.groq_api_url = groq.url();
  testing::FailingTranscriptCache down;
  auto& metrics = metrics::Registry::global();
  const double before = metrics.counter_value("cache_errors_total", {{"op", "put"}});
  auto svc = service(&down);
  Request req = request_for(media_files().voice);
  req.file_unique_id = "AgADvoice";
  Result r = svc->transcribe(req);
  EXPECT_EQ(r.transcript.text(), "Still transcribed.");
  EXPECT_FALSE(r.cache_hit);
  EXPECT_EQ(groq.requests().size(), 1u);
  EXPECT_EQ(down.calls.load(), 3);  // put_file, get (a miss), put: each tried once, skipped
  EXPECT_EQ(metrics.counter_value("cache_errors_total", {{"op", "put"}}), before + 1);
}

TEST_F(TranscriptionServiceTest, IdenticalConcurrentRequestsCallTheEngineOnce) {
  FakeOpenAi groq;
  groq.set_text("Only once.");
  store::MemoryInflightRegistry inflight;
  std::atomic<bool> second_waits{false};
  // The engine answers only once the second request waits on the first.
  groq.set_responder([&](const FakeRequest&) {
    tgscribe::testing::eventually([&] { return second_waits.load(); });
    return FakeReply::transcript();
  });
  groq.start();
  config.groq_api_url = groq.url();
  store::MemoryTranscriptCache cache(10, 3600);
  auto svc = service(&cache, &inflight);
  const auto& m = media_files();
  const std::string key = svc->content_key(sha256_file(m.voice.string()), request_for(m.voice));

  Result a, b;
  std::thread first([&] { a = svc->transcribe(request_for(m.voice)); });
  ASSERT_TRUE(tgscribe::testing::eventually([&] { return inflight.in_flight() == 1; }));
  std::thread second([&] { b = svc->transcribe(request_for(m.voice)); });
  EXPECT_TRUE(tgscribe::testing::eventually([&] { return inflight.waiters(key) == 1; }));
  second_waits = true;
  first.join();
  second.join();

  EXPECT_EQ(groq.requests().size(), 1u);
  EXPECT_FALSE(a.joined);
  EXPECT_TRUE(b.joined);
  EXPECT_FALSE(b.cache_hit);
  EXPECT_EQ(a.transcript.text(), b.transcript.text());
  EXPECT_FALSE(a.transcript.segments.empty());
  EXPECT_EQ(inflight.in_flight(), 0u);
}

TEST_F(TranscriptionServiceTest, JoinerOfACancelledJobTranscribesItself) {
  FakeOpenAi groq;
  store::MemoryInflightRegistry inflight(std::chrono::milliseconds(10));
  std::atomic<bool> first_cancelled{false};
  std::atomic<bool> second_waits{false};
  std::atomic<int> answered{0};
  groq.set_responder([&](const FakeRequest&) {
    if (answered++ == 0) {
      // The first job's user cancels during its first chunk, while the second job waits.
      tgscribe::testing::eventually([&] { return second_waits.load(); });
      first_cancelled = true;
    }
    return FakeReply::transcript();
  });
  groq.start();
  config.groq_api_url = groq.url();
  config.api_max_upload_mb = 0.1;  // chunks: the cancel is seen before the next one
  config.engine_concurrency = 1;
  store::MemoryTranscriptCache cache(10, 3600);
  auto svc = service(&cache, &inflight);
  const auto& m = media_files();
  const std::string key =
      svc->content_key(sha256_file(m.two_part.string()), request_for(m.two_part));

  std::atomic<bool> first_saw_cancel{false};
  Result b;
  std::thread first([&] {
    Request r = request_for(m.two_part);
    r.cancelled = [&] { return first_cancelled.load(); };
    try {
      svc->transcribe(r);
    } catch (const Error& e) {
      first_saw_cancel = e.kind() == ErrorKind::kCancelled;
    }
  });
  ASSERT_TRUE(tgscribe::testing::eventually([&] { return inflight.in_flight() == 1; }));
  std::thread second([&] { b = svc->transcribe(request_for(m.two_part)); });
  EXPECT_TRUE(tgscribe::testing::eventually([&] { return inflight.waiters(key) == 1; }));
  second_waits = true;
  first.join();
  second.join();

  EXPECT_TRUE(first_saw_cancel);
  EXPECT_GE(groq.requests().size(), 2u);  // the second job ran the engine itself
  EXPECT_FALSE(b.joined);
  EXPECT_FALSE(b.transcript.segments.empty());
  EXPECT_TRUE(cache.get(key)) << "the second job's transcript is stored";
}

}  // namespace
}  // namespace tgscribe::pipeline
