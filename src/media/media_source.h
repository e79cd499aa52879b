#pragma once
// Where media bytes come from: a local file or a caller-owned buffer. FFmpeg only ever sees
// these bytes through our own read/seek callbacks, so no URL or protocol can be reached.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

namespace tgscribe::media {

// Random-access reader over one byte source; one per open demuxer.
class ByteReader {
 public:
  virtual ~ByteReader() = default;
  // Reads up to n bytes; returns the count, 0 at the end. Throws std::runtime_error on I/O error.
  virtual size_t read(uint8_t* buf, size_t n) = 0;
  // Moves to an absolute offset; false when out of range.
  virtual bool seek(int64_t offset) = 0;
  virtual int64_t position() const = 0;
  virtual int64_t size() const = 0;
};

class MediaSource {
 public:
  static MediaSource from_path(const std::filesystem::path& path);
  // The buffer must outlive the source and every decoder opened from it.
  static MediaSource from_memory(std::span<const uint8_t> bytes, std::string name = "memory");

  // A name for messages and for format hints (its extension), never opened by FFmpeg.
  const std::string& name() const { return name_; }
  const std::filesystem::path& path() const { return path_; }  // empty for memory sources
  bool is_file() const { return !path_.empty(); }
  // Size in bytes; throws MediaRejected(kNotMedia) when a file cannot be read.
  int64_t size() const;
  // A fresh reader positioned at 0.
  std::unique_ptr<ByteReader> open() const;

 private:
  std::filesystem::path path_;
  std::span<const uint8_t> bytes_;
  std::string name_;
};

}  // namespace tgscribe::media
