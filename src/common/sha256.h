#pragma once
// Streaming SHA-256 (OpenSSL EVP): fed while bytes arrive, so the content key never needs a
// second pass over the file.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace tgscribe {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // Lower-case hex digest. The hasher cannot be updated afterwards.
  std::string hex_digest();

  static std::string of(std::string_view data);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Hashes a whole file (used by the CLI, which has the file on disk already).
std::string sha256_file(const std::string& path);

}  // namespace tgscribe
