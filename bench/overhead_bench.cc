// tgscribe's own time around one engine call, for a 20-s voice note, against the naive path
// (what the original Python bot did: download, `ffmpeg -i note.oga -b:a 96k note.mp3`, upload
// the MP3, send the text) on the same fake Telegram and fake Groq.
//
// Definition. One note at a time (no queueing), Telegram answering at once (latency 0: only
// our own time counts) and the engine answering after a fixed delay D:
//   before  = update pushed to the fake Telegram -> the engine has the whole upload
//             (intake, status reply, getFile, download, hashing, probing, planning, upload);
//   after   = the engine's answer (arrival + D) -> the transcript message answered by Telegram
//             (parsing, formatting, sending the text);
//   overhead = before + after: the user's wait minus the engine's delay.
// The fake engine's own probing of the upload falls inside `before` on both sides (it is how
// the fake learns the arrival time); the naive path runs in this process, so it pays no Python
// interpreter start or imports: a bound in the naive path's favour.
//
//   overhead_bench [--smoke] [RUNS]     (default 30 runs after one warm-up; --smoke: 2 runs)
// The binary is TGSCRIBE_BINARY or build/tgscribe.
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "e2e/bot_deployment.h"

namespace fs = std::filesystem;
using namespace tgscribe;
using Steady = std::chrono::steady_clock;

namespace {

constexpr auto kEngineDelay = std::chrono::milliseconds(300);

double ms_between(Steady::time_point from, Steady::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Arrival times of engine requests, in order.
struct Arrivals {
  std::mutex mutex;
  std::vector<Steady::time_point> times;
  size_t count() {
    std::lock_guard lock(mutex);
    return times.size();
  }
  Steady::time_point at(size_t i) {
    std::lock_guard lock(mutex);
    return times.at(i);
  }
};

struct Sample {
  double before_ms = 0;
  double after_ms = 0;
};

void print_row(const char* what, const std::vector<Sample>& s) {
  std::vector<double> before, after, total;
  for (const auto& x : s) {
    before.push_back(x.before_ms);
    after.push_back(x.after_ms);
    total.push_back(x.before_ms + x.after_ms);
  }
  std::printf("| %s | %zu | %.0f / %.0f | %.0f / %.0f | %.0f / %.0f |\n", what, s.size(),
              percentile(before, 0.5), percentile(before, 0.99), percentile(after, 0.5),
              percentile(after, 0.99), percentile(total, 0.5), percentile(total, 0.99));
}

// The 20-s note: espeak-ng speech padded with silence to 20 s, Opus 32 kbit/s in Ogg, as
// Telegram stores voice notes.
std::string twenty_second_note(const fs::path& dir) {
  fs::path p = dir / "note.oga";
  const std::string text =
      "This is a voice note of about twenty seconds. It says a few ordinary sentences, the way "
      "people talk to a friend, so that the bot has something real to carry from Telegram to the "
      "engine and back again.";
  if (!testing::make_speech(text, p, {"-af", "apad=whole_dur=20", "-t", "20"})) return "";
  return testing::read_file(p);
}

}  // namespace

int main(int argc, char** argv) {
  bool smoke = false;
  int runs = 30;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--smoke") {
      smoke = true;
      runs = 2;
    } else {
      runs = std::max(1, std::atoi(argv[i]));
    }
  }
  const char* binary = std::getenv("TGSCRIBE_BINARY");
  // The bot runs in a temporary directory: the path must not be relative.
  setenv("TGSCRIBE_BINARY", fs::absolute(binary ? binary : "build/tgscribe").c_str(), 1);
  testing::TempDir dir;
  const std::string note = twenty_second_note(dir.path());
  if (note.empty()) {
    std::fprintf(stderr, "espeak-ng or ffmpeg failed: no 20-s note\n");
    return 1;
  }

  testing::BotDeployment d;
  d.env["LOG_LEVEL"] = "warn";
  d.env["GROQ_RPM"] = "0";  // the fake has no rate limits; pacing is not what is measured
  d.env["GROQ_AUDIO_SECONDS_PER_HOUR"] = "0";
  Arrivals arrivals;
  d.engine.set_responder([&](const engine::testing::FakeRequest&) {
    {
      std::lock_guard lock(arrivals.mutex);
      arrivals.times.push_back(Steady::now());
    }
    return engine::testing::FakeReply::transcript().after(kEngineDelay);
  });
  d.start("bot");
  if (!d.wait_healthy("bot")) {
    std::fprintf(stderr, "the bot did not come up\n%s", d.logs().c_str());
    return 1;
  }

  // --- tgscribe: one note at a time, one warm-up run first ----------------------------------
  std::vector<Sample> ours;
  const int64_t first_chat = 700000;
  for (int i = 0; i <= runs; ++i) {
    auto file = d.tg.add_file(testing::vary_ogg(note, 1000 + i), "voice.oga", "audio/ogg");
    const int64_t chat = first_chat + i;
    const size_t before_count = arrivals.count();
    auto pushed = Steady::now();
    d.tg.push_media(telegram::testing::MessageSpec{.chat_id = chat, .user_id = chat}, "voice", file,
                    20);
    if (!testing::eventually([&] { return d.transcripts_in(chat) >= 1; },
                             std::chrono::seconds(30)) ||
        arrivals.count() != before_count + 1) {
      std::fprintf(stderr, "run %d: no transcript within 30 s (or not one engine call)\n%s", i,
                   d.logs().c_str());
      return 1;
    }
    Steady::time_point sent{};
    for (const auto& c : d.delivered()) {
      if (c.chat_id() == chat && testing::BotDeployment::is_transcript(c)) sent = c.answered_at;
    }
    auto arrived = arrivals.at(before_count);
    if (i > 0) {
      ours.push_back({ms_between(pushed, arrived), ms_between(arrived + kEngineDelay, sent)});
    }
    // Let the documents (txt, srt) go out so the next run starts idle.
    d.tg.wait_for_calls("sendDocument", 2 * static_cast<size_t>(i + 1), std::chrono::seconds(20));
  }

  // --- the naive path, on the same fakes ------------------------------------------------------
  std::vector<Sample> naive;
  httplib::Client tg("127.0.0.1", d.tg.port());
  tg.set_read_timeout(30);
  const std::string engine_url = d.engine.url();  // http://127.0.0.1:PORT/v1
  const std::string engine_host = engine_url.substr(0, engine_url.rfind("/v1"));
  httplib::Client eng(engine_host);
  eng.set_read_timeout(30);
  const std::string bot = "/bot" + d.tg.token();
  for (int i = 0; i <= runs; ++i) {
    auto file = d.tg.add_file(testing::vary_ogg(note, 5000 + i), "voice.oga", "audio/ogg");
    const size_t before_count = arrivals.count();
    auto start = Steady::now();
    auto meta = tg.Get(bot + "/getFile?file_id=" + file.file_id);
    if (!meta || meta->status != 200) return 1;
    std::string path = nlohmann::json::parse(meta->body)["result"]["file_path"];
    auto body = tg.Get("/file" + bot + "/" + path);
    if (!body || body->status != 200) return 1;
    fs::path in = dir / "naive.oga", out = dir / "naive.mp3";
    testing::write_file(in, body->body);
    auto conv = testing::run_process({"ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i",
                                      in.string(), "-b:a", "96k", out.string()});
    if (conv.exit_code != 0) return 1;
    httplib::MultipartFormDataItems items = {
        {"file", testing::read_file(out), "note.mp3", "audio/mpeg"},
        {"model", "whisper-large-v3-turbo", "", ""},
        {"response_format", "verbose_json", "", ""}};
    auto answer = eng.Post("/v1/audio/transcriptions",
                           {{"Authorization", "Bearer " + d.env["GROQ_API_KEY"]}}, items);
    if (!answer || answer->status != 200 || arrivals.count() != before_count + 1) return 1;
    std::string text = nlohmann::json::parse(answer->body).value("text", "");
    auto sent =
        tg.Post(bot + "/sendMessage",
                nlohmann::json{{"chat_id", 800000 + i}, {"text", text}}.dump(), "application/json");
    if (!sent || sent->status != 200) return 1;
    auto done = Steady::now();
    auto arrived = arrivals.at(before_count);
    // As for tgscribe, `after` starts at arrival + D: the transfer of the answer counts.
    if (i > 0)
      naive.push_back({ms_between(start, arrived), ms_between(arrived + kEngineDelay, done)});
  }

  std::printf(
      "own time around one engine call: 20-s voice note (Ogg Opus, %zu bytes), %d runs after a "
      "warm-up, one at a time; fake Telegram answering at once, fake Groq after %lld ms\n\n",
      note.size(), runs, static_cast<long long>(kEngineDelay.count()));
  std::printf(
      "| path | runs | pushed -> engine has the upload, ms p50 / p99 | engine answer -> "
      "transcript sent, ms p50 / p99 | overhead (sum), ms p50 / p99 |\n");
  std::printf("| --- | ---: | ---: | ---: | ---: |\n");
  print_row("tgscribe (real binary)", ours);
  print_row("naive: download, ffmpeg CLI to 96 kbit/s MP3, upload, send", naive);
  (void)smoke;
  return 0;
}
