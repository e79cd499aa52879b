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
  // kind kNetwork / kTimeout / kCancelled. Thread-safe.
  virtual Response send(const Request& request) = 0;
};

}  // namespace tgscribe::http
