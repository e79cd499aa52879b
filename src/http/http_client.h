#pragma once
// HTTP client interface (libcurl implementation in curl_http_client.h). Streaming both ways:
// request bodies and multipart files are read from disk as they are sent, response bodies can
// be consumed chunk by chunk, so memory stays flat for large media.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tgscribe::http {

struct MultipartPart {
  std::string name;
  std::string value;                          // used when file is empty
  std::optional<std::filesystem::path> file;  // streamed from disk when set
  std::string filename;                       // for file parts
  std::string content_type;                   // for file parts
};

// A transfer that moves fewer than `min_bytes_per_s` for `window` is stalled: it fails with
// kTimeout (retryable) instead of holding its caller, and maybe a job's lease, for ever. The
// wait between the end of a request body and the first byte of the answer is not a stall (an
// engine transcribing the upload); the request's `timeout` bounds it.
struct StallLimit {
  int64_t min_bytes_per_s = 0;  // 0 = no stall detection
  std::chrono::milliseconds window{0};
};

// Limits for moving media (downloads from Telegram, uploads to Telegram and the engines): a
// stall limit, and an overall deadline that grows with the size, so a 2 GB file may take its
// time but a 100 KB voice note cannot hang for an hour.
// How long `bytes` take at `bytes_per_s` (0 when the rate is 0: no allowance).
std::chrono::milliseconds time_at_rate(int64_t bytes, int64_t bytes_per_s);

struct TransferLimits {
  StallLimit stall{1'000, std::chrono::seconds(30)};  // < 1 KB/s for 30 s
  std::chrono::milliseconds base{60'000};
  int64_t min_rate_bytes_per_s = 100'000;  // deadline = base + size / this
  // The overall deadline for `bytes` (unknown size: pass the largest expected).
  std::chrono::milliseconds deadline_for(int64_t bytes) const;
};

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                                // raw body (when no body_file/multipart)
  std::optional<std::filesystem::path> body_file;  // raw body streamed from disk
  std::vector<MultipartPart> multipart;            // multipart/form-data when non-empty
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{120'000};  // whole transfer; 0 = none
  // Streaming download: called for each chunk of the response body of a 2xx answer; return
  // false to abort. When set, Response::body stays empty for 2xx answers.
  std::function<bool(std::string_view)> on_body;
  int64_t max_body_bytes = 0;  // 0 = unlimited; larger answers fail with kClient
  StallLimit stall;            // off by default (a long poll is silent on purpose)
  // Polled several times a second while the transfer runs, also when no byte moves: true
  // aborts it with kCancelled (a /cancel, a stop request). Called on the sending thread.
  std::function<bool()> cancelled;
};

struct Response {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::optional<std::string> header(std::string_view name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Returns any HTTP answer (including 4xx/5xx). Transport failures throw tgscribe::Error with
  // kind kNetwork / kTimeout (also a stall) / kCancelled (Request::cancelled). Thread-safe.
  virtual Response send(const Request& request) = 0;
};

}  // namespace tgscribe::http
