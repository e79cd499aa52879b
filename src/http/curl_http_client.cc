#include "http/curl_http_client.h"

#include <curl/curl.h>

#include <atomic>
#include <chrono>
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

// One pooled slot: the easy handle and the multi handle that drives it (and keeps its
// connection cache).
struct Handle {
  CURL* easy = nullptr;
  CURLM* multi = nullptr;
};

void destroy(Handle* h) {
  if (h->multi) curl_multi_cleanup(h->multi);
  if (h->easy) curl_easy_cleanup(h->easy);
  delete h;
}

// Bytes moved so far in both directions, and whether the request body is sent but no byte of
// the answer arrived yet (the server is working, which is not a stall).
struct Movement {
  int64_t bytes = 0;
  bool awaiting_answer = false;
};

Movement movement(CURL* curl, bool has_body) {
  curl_off_t up = 0, down = 0, up_total = -1;
  long header_bytes = 0;
  curl_easy_getinfo(curl, CURLINFO_SIZE_UPLOAD_T, &up);
  curl_easy_getinfo(curl, CURLINFO_SIZE_DOWNLOAD_T, &down);
  curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_UPLOAD_T, &up_total);
  curl_easy_getinfo(curl, CURLINFO_HEADER_SIZE, &header_bytes);
  Movement m;
  m.bytes = static_cast<int64_t>(up + down) + header_bytes;
  m.awaiting_answer = has_body && up_total >= 0 && up >= up_total && down == 0 && header_bytes == 0;
  return m;
}

enum class Interruption { kNone, kCancelled, kAborted, kStalled };

// abort_all() ends transfers as timeouts: the shutdown deadline passed. A timeout is what
// every caller already treats as "not done, try again later", so an outbox message cut off
// here stays pending for the next start instead of being given up like a cancelled one.
constexpr const char* kAbortedText = "aborted: the shutdown deadline passed";

// Runs the transfer on the handle's multi handle, waking at least every poll interval to look
// at the stop flags and the stall limit. Returns libcurl's result when the transfer ended by
// itself; sets `stopped` (and returns CURLE_OK) when it was ended here.
CURLcode perform(Handle* h, const Request& request, const std::atomic<bool>& aborted,
                 const std::string& what, Interruption* stopped) {
  using Clock = std::chrono::steady_clock;
  const bool has_body = !request.multipart.empty() || request.body_file || !request.body.empty();
  const StallLimit& stall = request.stall;
  const bool watch_stall = stall.min_bytes_per_s > 0 && stall.window.count() > 0;
  const int64_t quota = stall.min_bytes_per_s * stall.window.count() / 1000;
  auto ok_at = Clock::now();
  int64_t ok_bytes = 0;

  if (CURLMcode mc = curl_multi_add_handle(h->multi, h->easy); mc != CURLM_OK) {
    throw Error(ErrorKind::kInternal, what + ": " + curl_multi_strerror(mc));
  }
  CURLcode rc = CURLE_OK;
  CURLMcode failed = CURLM_OK;
  for (;;) {
    int running = 0;
    if (CURLMcode mc = curl_multi_perform(h->multi, &running); mc != CURLM_OK) {
      failed = mc;
      break;
    }
    bool done = false;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(h->multi, &left)) {
      if (msg->msg == CURLMSG_DONE) {
        rc = msg->data.result;
        done = true;
      }
    }
    if (done) break;
    if (aborted.load()) {
      *stopped = Interruption::kAborted;
      break;
    }
    if (request.cancelled && request.cancelled()) {
      *stopped = Interruption::kCancelled;
      break;
    }
    if (watch_stall) {
      // "At least min_bytes_per_s over the last window": the quota of a window must have moved
      // since the last time it did, or the window must not be over yet.
      Movement m = movement(h->easy, has_body);
      auto now = Clock::now();
      if (m.awaiting_answer || m.bytes - ok_bytes >= quota) {
        ok_at = now;
        ok_bytes = m.bytes;
      } else if (now - ok_at >= stall.window) {
        *stopped = Interruption::kStalled;
        break;
      }
    }
    if (CURLMcode mc = curl_multi_poll(
            h->multi, nullptr, 0, static_cast<int>(CurlHttpClient::kPollInterval.count()), nullptr);
        mc != CURLM_OK) {
      failed = mc;
      break;
    }
  }
  // Removing an unfinished transfer closes its connection: nothing half-read is reused.
  curl_multi_remove_handle(h->multi, h->easy);
  if (failed != CURLM_OK) {
    throw Error(ErrorKind::kNetwork, what + ": " + curl_multi_strerror(failed));
  }
  return rc;
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
  for (void* h : idle_) destroy(static_cast<Handle*>(h));
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
  auto h = std::make_unique<Handle>();
  h->easy = curl_easy_init();
  h->multi = curl_multi_init();
  if (!h->easy || !h->multi) {
    destroy(h.release());
    throw Error(ErrorKind::kInternal, "curl_easy_init failed");
  }
  return h.release();
}

void CurlHttpClient::release(void* handle) {
  auto* h = static_cast<Handle*>(handle);
  // curl_easy_reset keeps the connection cache (in the multi handle), which is what we pool
  // the pair for.
  curl_easy_reset(h->easy);
  std::lock_guard lock(mutex_);
  if (idle_.size() < max_idle_) {
    idle_.push_back(handle);
  } else {
    destroy(h);
  }
}

Response CurlHttpClient::send(const Request& request) {
  const std::string what = request.method + " " + redact(request.url);
  if (aborted_) throw Error(ErrorKind::kTimeout, what + ": " + kAbortedText);
  auto* handle = static_cast<Handle*>(acquire());
  CURL* curl = handle->easy;
  // Hand the handle back however we leave (including exceptions).
  std::unique_ptr<void, std::function<void(void*)>> guard(handle, [this](void* h) { release(h); });

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
  Interruption stopped = Interruption::kNone;
  CURLcode rc = perform(handle, request, aborted_, what, &stopped);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);

  switch (stopped) {
    case Interruption::kNone:
      break;
    case Interruption::kCancelled:
      throw Error(ErrorKind::kCancelled, what + ": cancelled");
    case Interruption::kAborted:
      throw Error(ErrorKind::kTimeout, what + ": " + kAbortedText);
    case Interruption::kStalled:
      throw Error(ErrorKind::kTimeout,
                  what + ": stalled (under " + std::to_string(request.stall.min_bytes_per_s) +
                      " bytes/s for " + std::to_string(request.stall.window.count() / 1000) +
                      " s)");
  }

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
