// Whole-pipeline cost of the embedded engine: the same TranscriptionService the CLI and the bot
// use, on Debian's LibriVox clips (or the files given). Prints audio seconds, wall and CPU
// seconds per job, the real-time factor, and peak RSS. Usage: transcribe_bench [FILE...]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "config/config.h"
#include "engine/engine_factory.h"
#include "pipeline/transcription_service.h"

namespace {
double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) files.emplace_back(argv[i]);
  if (files.empty()) {
    for (const auto& e :
         std::filesystem::directory_iterator("/usr/share/pocketsphinx/test/data/librivox")) {
      if (e.path().extension() == ".wav") files.push_back(e.path());
    }
  }
  tgscribe::config::Config config;
  config.transcriber = "sphinx";
  config.data_dir = std::filesystem::temp_directory_path() / "tgscribe-bench";
  auto chain = tgscribe::engine::make_engine_chain(config);
  tgscribe::pipeline::TranscriptionService service(config, chain, nullptr);

  double audio = 0, wall = 0, cpu = 0;
  for (const auto& f : files) {
    tgscribe::pipeline::Request req;
    req.path = f;
    req.filename = f.filename().string();
    req.use_cache = false;
    double c0 = cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    auto result = service.transcribe(req);
    double w = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double c = cpu_seconds() - c0;
    std::printf("%-60s %6.1f s audio  %5.2f s wall  %5.2f s CPU  RTF %.3f\n", f.filename().c_str(),
                result.info.duration_s, w, c, w / result.info.duration_s);
    audio += result.info.duration_s;
    wall += w;
    cpu += c;
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf(
      "total: %.1f s of audio in %.2f s wall, %.2f s CPU (%.1fx realtime, %.2f CPU s per "
      "audio minute), peak RSS %ld MB (model load included in the first file)\n",
      audio, wall, cpu, audio / wall, cpu / audio * 60, ru.ru_maxrss / 1024);
  return 0;
}
