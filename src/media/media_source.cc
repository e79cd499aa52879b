#include "media/media_source.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "media/media_error.h"

namespace tgscribe::media {
namespace {

class FileReader : public ByteReader {
 public:
  explicit FileReader(const std::filesystem::path& path) {
    // Plain stdio on a path we were given: no URL parsing, no protocol handlers.
    file_ = std::fopen(path.c_str(), "rb");
    if (!file_) {
      throw MediaRejected(RejectReason::kNotMedia,
                          std::string("cannot open file: ") + std::strerror(errno));
    }
    std::fseek(file_, 0, SEEK_END);
    size_ = std::ftell(file_);
    std::fseek(file_, 0, SEEK_SET);
  }
  ~FileReader() override { std::fclose(file_); }

  size_t read(uint8_t* buf, size_t n) override {
    size_t got = std::fread(buf, 1, n, file_);
    if (got < n && std::ferror(file_)) throw std::runtime_error("read error");
    pos_ += static_cast<int64_t>(got);
    return got;
  }
  bool seek(int64_t offset) override {
    if (offset < 0 || offset > size_) return false;
    if (std::fseek(file_, offset, SEEK_SET) != 0) return false;
    pos_ = offset;
    return true;
  }
  int64_t position() const override { return pos_; }
  int64_t size() const override { return size_; }

 private:
  std::FILE* file_ = nullptr;
  int64_t size_ = 0;
  int64_t pos_ = 0;
};

class MemoryReader : public ByteReader {
 public:
  explicit MemoryReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  size_t read(uint8_t* buf, size_t n) override {
    size_t left = bytes_.size() - pos_;
    size_t got = n < left ? n : left;
    if (got) std::memcpy(buf, bytes_.data() + pos_, got);
    pos_ += got;
    return got;
  }
  bool seek(int64_t offset) override {
    if (offset < 0 || static_cast<uint64_t>(offset) > bytes_.size()) return false;
    pos_ = static_cast<size_t>(offset);
    return true;
  }
  int64_t position() const override { return static_cast<int64_t>(pos_); }
  int64_t size() const override { return static_cast<int64_t>(bytes_.size()); }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

}  // namespace

MediaSource MediaSource::from_path(const std::filesystem::path& path) {
  MediaSource s;
  s.path_ = path;
  s.name_ = path.filename().string();
  return s;
}

MediaSource MediaSource::from_memory(std::span<const uint8_t> bytes, std::string name) {
  MediaSource s;
  s.bytes_ = bytes;
  s.name_ = std::move(name);
  return s;
}

int64_t MediaSource::size() const {
  if (!is_file()) return static_cast<int64_t>(bytes_.size());
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path_, ec)) {
    throw MediaRejected(RejectReason::kNotMedia, ec || !std::filesystem::exists(path_)
                                                     ? "file not found or unreadable"
                                                     : "not a regular file");
  }
  auto n = std::filesystem::file_size(path_, ec);
  if (ec) throw MediaRejected(RejectReason::kNotMedia, "cannot read file size");
  return static_cast<int64_t>(n);
}

std::unique_ptr<ByteReader> MediaSource::open() const {
  if (is_file()) return std::make_unique<FileReader>(path_);
  return std::make_unique<MemoryReader>(bytes_);
}

}  // namespace tgscribe::media
