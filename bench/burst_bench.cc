// A burst: 300 voice notes from 300 users at once, through the real binary (SQLite, default
// workers) against a fake Telegram that answers every call after 80 ms and a fake Groq that
// answers after 0.3 s + audio/200. Prints how long users wait for their first reply (p50, p99,
// max), when the last transcript arrives, and the floor that Telegram's 30 messages/s sets.
// Usage: burst_bench [NOTES] (default 300); the binary is TGSCRIBE_BINARY or build/tgscribe.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <vector>

#include "e2e/bot_deployment.h"

namespace {

using Steady = std::chrono::steady_clock;

double seconds_between(Steady::time_point from, Steady::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tgscribe;
  const int notes = argc > 1 ? std::atoi(argv[1]) : 300;
  const double telegram_rate = 30;  // the binary's default global send limit (its Sender)
  const char* binary = std::getenv("TGSCRIBE_BINARY");
  // The bot runs in a temporary directory: the path must not be relative.
  setenv("TGSCRIBE_BINARY", std::filesystem::absolute(binary ? binary : "build/tgscribe").c_str(),
         1);
  if (testing::spoken_clip().empty()) {
    std::fprintf(stderr, "espeak-ng or ffmpeg failed: no speech to send\n");
    return 1;
  }

  testing::BotDeployment d;
  d.env["LOG_LEVEL"] = "info";
  d.env.erase("STATUS_DELAY_MS");  // the product's default, not the tests' (no delay)
  // The fake engine has no rate limits, and the bench measures Telegram's floor: no pacing
  // to Groq's free tier (20 requests a minute would make 300 notes take 15 minutes).
  d.env["GROQ_RPM"] = "0";
  d.env["GROQ_AUDIO_SECONDS_PER_HOUR"] = "0";
  d.tg.set_latency(std::chrono::milliseconds(80));
  d.engine.set_responder([](const engine::testing::FakeRequest& r) {
    auto reply = engine::testing::FakeReply::transcript();
    reply.delay = std::chrono::milliseconds(300 + static_cast<int>(r.duration_s * 1000 / 200));
    return reply;
  });
  d.start("bot");
  if (!d.wait_healthy("bot")) {
    std::fprintf(stderr, "the bot did not come up\n%s", d.logs().c_str());
    return 1;
  }
  std::vector<telegram::testing::FakeFile> files;
  for (int i = 0; i < notes; ++i) files.push_back(d.add_voice(i));

  const int64_t first_chat = 500000;
  auto pushed = Steady::now();
  int64_t last_update = 0;
  for (int i = 0; i < notes; ++i) last_update = d.push_voice(first_chat + i, files[i]).update_id;
  // Each note ends with its two documents (txt, srt).
  if (!d.tg.wait_for_calls("sendDocument", 2 * static_cast<size_t>(notes),
                           std::chrono::minutes(15))) {
    std::fprintf(stderr, "not every note was answered within 15 minutes\n");
  }

  std::map<int64_t, Steady::time_point> first_reply, transcript;
  size_t sent = 0;
  for (const auto& c : d.delivered()) {
    ++sent;
    first_reply.try_emplace(c.chat_id(), c.answered_at);
    if (testing::BotDeployment::is_transcript(c))
      transcript.try_emplace(c.chat_id(), c.answered_at);
  }
  std::vector<double> waits;
  for (const auto& [chat, t] : first_reply) waits.push_back(seconds_between(pushed, t));
  double last_transcript = 0;
  for (const auto& [chat, t] : transcript) {
    last_transcript = std::max(last_transcript, seconds_between(pushed, t));
  }
  const double floor = notes / telegram_rate;
  const double p99 = percentile(waits, 0.99);
  std::printf(
      "%d voice notes from %d users at once; Telegram latency 80 ms, engine 0.3 s + "
      "audio/200\n",
      notes, notes);
  std::printf("first reply:     p50 %.2f s  p99 %.2f s  max %.2f s  (%zu of %d users)\n",
              percentile(waits, 0.5), p99, percentile(waits, 1.0), waits.size(), notes);
  std::printf("last transcript: %.2f s after the burst (%zu of %d users)\n", last_transcript,
              transcript.size(), notes);
  std::printf("floor: %d first replies at %.0f messages/s = %.1f s; p99/floor = %.2f\n", notes,
              telegram_rate, floor, p99 / floor);
  std::printf("messages and documents sent: %zu (%.1f s at %.0f/s)\n", sent, sent / telegram_rate,
              telegram_rate);

  // Where the time went: what Telegram answered until the last user had a first reply (every
  // call counts against the bot-wide 30/s but getUpdates/getFile), and when intake had
  // confirmed the whole burst (the first getUpdates whose offset is past the last update).
  Steady::time_point last_first = pushed;
  for (const auto& [chat, t] : first_reply) last_first = std::max(last_first, t);
  std::map<std::string, size_t> before;
  size_t first_replies = 0;
  double confirmed = -1;
  std::set<int64_t> firsts_seen;
  for (const auto& c : d.tg.calls()) {
    if (c.method == "getUpdates" && confirmed < 0 && c.answered_at >= pushed &&
        c.params.value("offset", int64_t{0}) > last_update) {
      confirmed = seconds_between(pushed, c.answered_at);
    }
    if (c.answered_at > last_first || c.answered_at < pushed) continue;
    bool message = (c.method == "sendMessage" || c.method == "sendDocument") && c.status == 200;
    if (message && firsts_seen.insert(c.chat_id()).second) {
      ++first_replies;
    } else if (testing::BotDeployment::is_transcript(c)) {
      ++before["transcript"];
    } else {
      ++before[c.method];
    }
  }
  std::printf("intake: the whole burst confirmed to Telegram %.2f s after it\n", confirmed);
  std::printf("until the last first reply (%.2f s): %zu first replies",
              seconds_between(pushed, last_first), first_replies);
  for (const auto& [what, n] : before) std::printf(", %zu %s", n, what.c_str());
  std::printf("\n");
  return 0;
}
