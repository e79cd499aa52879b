#include "http/curl_http_client.h"

#include <curl/curl.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <system_error>

#include "common/error.h"
#include "common/redact.h"
#include "common/strings.h"

namespace tgscribe::http {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// State shared with libcurl's callbacks during one transfer.
struct Transfer {
  CURL* curl = nullptr;
  const Request* request = nullptr;
  Response* response = nullptr;
  int64_t received = 0;
  bool body_too_large = false;
  bool aborted_by_consumer = false;
  FILE* upload = nullptr;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  // A new status line (after 100-continue or a redirect) starts a fresh header block.
  if (line.starts_with("HTTP/")) {
    t->response->headers.clear();
    return n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  t->response->headers.emplace_back(to_lower(trim(line.substr(0, colon))),
                                    trim(line.substr(colon + 1)));
  return n;
}

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  t->received += static_cast<int64_t>(n);
  if (t->request->max_body_bytes > 0 && t->received > t->request->max_body_bytes) {
    t->body_too_large = true;
    return CURL_WRITEFUNC_ERROR;
  }
  if (t->request->on_body && status >= 200 && status < 300) {
    if (!t->request->on_body(std::string_view(data, n))) {
      t->aborted_by_consumer = true;
      return CURL_WRITEFUNC_ERROR;
    }
    return n;
  }
  t->response->body.append(data, n);
  return n;
}

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t got = std::fread(buffer, 1, size * count, t->upload);
  if (got == 0 && std::ferror(t->upload)) return CURL_READFUNC_ABORT;
  return got;
}

int on_seek(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  return fseeko(t->upload, offset, origin) == 0 ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL;
}

void check_readable(const std::filesystem::path& p, const std::string& what) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) {
    throw Error(ErrorKind::kInvalidInput, what + ": cannot read " + p.filename().string());
  }
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct MimeDeleter {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};
struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

}  // namespace

CurlHttpClient::CurlHttpClient(size_t max_idle_handles) : max_idle_(max_idle_handles) {
  global_init();
}

CurlHttpClient::~CurlHttpClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* CurlHttpClient::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  CURL* h = curl_easy_init();
  if (!h) throw Error(ErrorKind::kInternal, "curl_easy_init failed");
  return h;
}

void CurlHttpClient::release(void* handle) {
  // curl_easy_reset keeps the handle's connection cache, which is what we pool it for.
  curl_easy_reset(static_cast<CURL*>(handle));
  std::lock_guard lock(mutex_);
  if (idle_.size() < max_idle_) {
    idle_.push_back(handle);
  } else {
    curl_easy_cleanup(static_cast<CURL*>(handle));
  }
}

Response CurlHttpClient::send(const Request& request) {
  const std::string what = request.method + " " + redact(request.url);
  CURL* curl = static_cast<CURL*>(acquire());
  // Hand the handle back however we leave (including exceptions).
  std::unique_ptr<void, std::function<void(void*)>> guard(curl, [this](void* h) { release(h); });

  Response response;
  Transfer t;
  t.curl = curl;
  t.request = &request;
  t.response = &response;

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  // Only web protocols, also after redirects: a URL from configuration must never read
  // file:// or talk to other services.
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // required for multi-threaded use
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  // CURLOPT_PROXY is deliberately left unset: libcurl then honours HTTPS_PROXY, ALL_PROXY and
  // NO_PROXY from the environment (Telegram is blocked in some countries).
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);

  curl_slist* raw_headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    raw_headers = curl_slist_append(raw_headers, (name + ": " + value).c_str());
  }
  // No "Expect: 100-continue" round trip: it costs a second per upload with servers that do
  // not answer it, and our bodies are already sized to what the server accepts.
  raw_headers = curl_slist_append(raw_headers, "Expect:");
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());

  std::unique_ptr<curl_mime, MimeDeleter> mime;
  std::unique_ptr<FILE, FileCloser> upload;
  if (!request.multipart.empty()) {
    mime.reset(curl_mime_init(curl));
    for (const auto& part : request.multipart) {
      curl_mimepart* p = curl_mime_addpart(mime.get());
      curl_mime_name(p, part.name.c_str());
      if (part.file) {
        check_readable(*part.file, what);
        // Streamed from disk while sending: memory stays flat for large media.
        curl_mime_filedata(p, part.file->c_str());
        curl_mime_filename(
            p, part.filename.empty() ? part.file->filename().c_str() : part.filename.c_str());
        if (!part.content_type.empty()) curl_mime_type(p, part.content_type.c_str());
      } else {
        curl_mime_data(p, part.value.data(), part.value.size());
      }
    }
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime.get());
  } else if (request.body_file) {
    check_readable(*request.body_file, what);
    upload.reset(std::fopen(request.body_file->c_str(), "rb"));
    if (!upload) throw Error(ErrorKind::kInvalidInput, what + ": cannot open request body");
    t.upload = upload.get();
    std::error_code ec;
    auto size = static_cast<curl_off_t>(std::filesystem::file_size(*request.body_file, ec));
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &t);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &t);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, size);
  } else if (!request.body.empty() || request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET" && request.method != "POST") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  }

  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);

  if (t.body_too_large) {
    throw Error(ErrorKind::kClient, what + ": response larger than " +
                                        std::to_string(request.max_body_bytes) + " bytes");
  }
  if (t.aborted_by_consumer) {
    throw Error(ErrorKind::kCancelled, what + ": download stopped by the receiver");
  }
  if (rc != CURLE_OK) {
    // The error buffer may contain the URL (with a token); redact everything.
    std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
    std::string message = what + ": " + redact(detail);
    switch (rc) {
      case CURLE_OPERATION_TIMEDOUT:
        throw Error(ErrorKind::kTimeout, message);
      case CURLE_UNSUPPORTED_PROTOCOL:
      case CURLE_URL_MALFORMAT:
        throw Error(ErrorKind::kInvalidInput, message);
      case CURLE_READ_ERROR:
        throw Error(ErrorKind::kInvalidInput, message);
      case CURLE_ABORTED_BY_CALLBACK:
        throw Error(ErrorKind::kCancelled, message);
      default:
        throw Error(ErrorKind::kNetwork, message);
    }
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace tgscribe::http
