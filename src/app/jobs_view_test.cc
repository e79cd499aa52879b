#include "app/jobs_view.h"

#include <gtest/gtest.h>

#include "common/redact.h"
#include "jobs/job_payload.h"

namespace tgscribe::app {
namespace {

constexpr int64_t kNow = 1'780'000'000'000;  // 2026-05-28 20:26:40 UTC

store::Job job_with_media(const std::string& id, telegram::MediaKind kind, const std::string& name,
                          int duration) {
  jobs::JobPayload p;
  p.chat_id = 20;
  p.user_id = 10;
  p.media.kind = kind;
  p.media.file_name = name;
  p.media.duration = duration;
  p.media.file_size = 12345;
  p.media.mime_type = "audio/mpeg";
  store::Job j;
  j.id = id;
  j.user_id = 10;
  j.chat_id = 20;
  j.created_ms = kNow - 90'000;
  j.payload = jobs::to_json(p);
  return j;
}

TEST(JobsView, AgeUsesTheLargestWholeUnit) {
  EXPECT_EQ(format_age(-5), "0s");
  EXPECT_EQ(format_age(59'999), "59s");
  EXPECT_EQ(format_age(60'000), "1m");
  EXPECT_EQ(format_age(3'599'999), "59m");
  EXPECT_EQ(format_age(3'600'000), "1h");
  EXPECT_EQ(format_age(47LL * 3'600'000), "47h");
  EXPECT_EQ(format_age(48LL * 3'600'000), "2d");
}

TEST(JobsView, OneLineCutsByCodePointWithAnEllipsis) {
  EXPECT_EQ(one_line("short", 10), "short");
  EXPECT_EQ(one_line("a\nb\tc", 10), "a b c");
  EXPECT_EQ(one_line("abcdefghij", 5), "abcd…");
  EXPECT_EQ(one_line("éééééé", 3), "éé…");  // never half a character
  EXPECT_EQ(one_line("ééé", 3), "ééé");
}

TEST(JobsView, MediaSummaryFromThePayload) {
  EXPECT_EQ(media_summary(job_with_media("a", telegram::MediaKind::kVoice, "", 12)), "voice 0:12");
  EXPECT_EQ(media_summary(job_with_media("b", telegram::MediaKind::kAudio, "song.mp3", 3725)),
            "audio 1:02:05 song.mp3");
  store::Job broken;
  broken.payload = "not json";
  EXPECT_EQ(media_summary(broken), "?");
}

TEST(JobsView, TableHasTheColumnsAndOneRowPerJob) {
  auto a = job_with_media("0123456789abcdef", telegram::MediaKind::kVoice, "", 7);
  a.state = store::JobState::kFailed;
  a.attempts = 3;
  a.last_error = "HTTP 500 from the engine\nand more";
  auto b = job_with_media("fedcba9876543210", telegram::MediaKind::kAudio, "x.mp3", 0);
  b.state = store::JobState::kRunning;
  b.cancel_requested = true;
  b.created_ms = kNow - 3LL * 86'400'000;
  std::string t = jobs_table({a, b}, kNow);
  std::vector<std::string> lines;
  for (size_t pos = 0, nl; (nl = t.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    lines.push_back(t.substr(pos, nl - pos));
  }
  ASSERT_EQ(lines.size(), 3u) << t;
  for (const char* col :
       {"ID", "STATE", "USER", "CHAT", "MEDIA", "ATTEMPTS", "AGE", "LAST ERROR"}) {
    EXPECT_NE(lines[0].find(col), std::string::npos) << col;
  }
  EXPECT_EQ(lines[1].rfind("0123456789abcdef  failed", 0), 0u) << lines[1];
  EXPECT_NE(lines[1].find("voice 0:07"), std::string::npos);
  EXPECT_NE(lines[1].find("1m"), std::string::npos);
  EXPECT_NE(lines[1].find("HTTP 500 from the engine and more"), std::string::npos);
  EXPECT_NE(lines[2].find("running (cancelling)"), std::string::npos);
  EXPECT_NE(lines[2].find("3d"), std::string::npos);
  // Columns line up: MEDIA starts at the same place in every row.
  size_t media_col = lines[0].find("MEDIA");
  EXPECT_EQ(lines[1].find("voice"), media_col);
  EXPECT_EQ(lines[2].find("audio"), media_col);
}

TEST(JobsView, DetailsNameEveryField) {
  auto j = job_with_media("0123456789abcdef", telegram::MediaKind::kAudio, "song.mp3", 65);
  j.state = store::JobState::kRunning;
  j.attempts = 4;
  j.budget_base = 3;
  j.started_ms = kNow - 5'000;
  j.lease_until_ms = kNow + 25'000;
  j.worker_id = "inst-w2";
  j.last_error = "timeout";
  std::string d = job_details(j, 0, 2, kNow);
  std::string lines = std::string("\n") + d;  // every key starts a line
  for (const char* line :
       {"id:", "state:", "user:", "chat:", "media kind:", "media name:", "media size:",
        "media duration:", "attempts:", "created:", "started:", "finished:", "updated:",
        "lease owner:", "lease until:", "cancel requested:", "last error:"}) {
    EXPECT_NE(lines.find(std::string("\n") + line), std::string::npos) << line << "\n" << d;
  }
  EXPECT_NE(d.find("state:            running\n"), std::string::npos) << d;
  EXPECT_NE(d.find("12345 bytes"), std::string::npos);
  EXPECT_NE(d.find("1:05"), std::string::npos);
  EXPECT_NE(d.find("4 (1 counting against the retry budget; operator retries and pacing deferrals "
                   "give claims back), 2 left"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("inst-w2"), std::string::npos);
  EXPECT_NE(d.find("(in 25s)"), std::string::npos);
  EXPECT_NE(d.find("(1m ago)"), std::string::npos);
}

TEST(JobsView, SecretsInErrorsAreRedacted) {
  register_secret("sk-jobs-view-secret-1234");
  auto j = job_with_media("0123456789abcdef", telegram::MediaKind::kVoice, "", 1);
  j.last_error = "auth failed for sk-jobs-view-secret-1234";
  EXPECT_EQ(jobs_table({j}, kNow).find("sk-jobs-view-secret-1234"), std::string::npos);
  EXPECT_EQ(job_details(j, 0, 2, kNow).find("sk-jobs-view-secret-1234"), std::string::npos);
  EXPECT_EQ(job_json(j, 0).dump().find("sk-jobs-view-secret-1234"), std::string::npos);
}

TEST(JobsView, JsonCarriesTheFields) {
  auto j = job_with_media("0123456789abcdef", telegram::MediaKind::kVoice, "", 9);
  j.state = store::JobState::kQueued;
  auto o = job_json(j, 3);
  EXPECT_EQ(o["id"], "0123456789abcdef");
  EXPECT_EQ(o["state"], "queued");
  EXPECT_EQ(o["user_id"], 10);
  EXPECT_EQ(o["chat_id"], 20);
  EXPECT_EQ(o["position"], 3);
  EXPECT_EQ(o["media"]["kind"], "voice");
  EXPECT_EQ(o["media"]["duration"], 9);
  EXPECT_EQ(o["created_ms"], kNow - 90'000);
}

}  // namespace
}  // namespace tgscribe::app
