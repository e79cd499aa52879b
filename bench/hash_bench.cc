// SHA-256 of media as it streams in (the content cache key) against `openssl dgst -sha256`.
// Prints throughput for both on the same file. Usage: hash_bench [SIZE_MB] (default 512).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "common/sha256.h"

int main(int argc, char** argv) {
  const long mb = argc > 1 ? std::atol(argv[1]) : 512;
  auto path = std::filesystem::temp_directory_path() / "tgscribe-hash-bench.bin";
  {
    std::ofstream out(path, std::ios::binary);
    std::mt19937_64 rng(1);
    std::vector<uint64_t> block(1 << 17);
    for (long written = 0; written < mb * 1'000'000; written += block.size() * 8) {
      for (auto& v : block) v = rng();
      out.write(reinterpret_cast<const char*>(block.data()), block.size() * 8);
    }
  }
  auto size = std::filesystem::file_size(path);
  // Warm the page cache so both sides read from memory.
  tgscribe::sha256_file(path.string());

  auto t0 = std::chrono::steady_clock::now();
  std::string ours = tgscribe::sha256_file(path.string());
  double ours_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::string cmd = "openssl dgst -sha256 " + path.string() + " > /dev/null";
  t0 = std::chrono::steady_clock::now();
  int rc = std::system(cmd.c_str());
  double openssl_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("SHA-256 of one %.0f MB file (page cache warm)\n\n", size / 1e6);
  std::printf("| hasher | s | MB/s |\n| --- | ---: | ---: |\n");
  std::printf(
      "| tgscribe Sha256 (in-process, 64 KiB streaming reads; peak RSS %ld MB) | %.2f | %.0f |\n",
      ru.ru_maxrss / 1024, ours_s, size / 1e6 / ours_s);
  if (rc == 0) {
    std::printf("| openssl dgst -sha256 (the CLI, process start included) | %.2f | %.0f |\n",
                openssl_s, size / 1e6 / openssl_s);
  } else {
    std::printf("| openssl dgst -sha256 | not available | - |\n");
  }
  std::printf("\ndigest %s\n", ours.c_str());
  std::filesystem::remove(path);
  return 0;
}
