#pragma once
// What a fake engine server (fake_openai.h, fake_deepgram.h) answers, and what it recorded
// about each request it checked.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "transcript/transcript.h"

namespace tgscribe::engine::testing {

struct FakeReply {
  enum class Kind { kTranscript, kStatus, kDrop };
  Kind kind = Kind::kTranscript;
  int status = 200;
  std::string body;  // kStatus: the error body; kTranscript: replaces the generated JSON
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds delay{0};  // answer slowly
  // kTranscript: answer these segments (times relative to the upload) instead of segments
  // generated from the server's text spread over the upload's probed duration.
  std::optional<std::vector<transcript::Segment>> segments;
  std::string language;  // kTranscript: ISO 639-1 code reported; "" = the server's default

  static FakeReply transcript() { return {}; }
  static FakeReply with_segments(std::vector<transcript::Segment> segments,
                                 std::string language = "");
  // An error answer; retry_after fills the Retry-After header when not empty.
  static FakeReply error(int status, std::string retry_after = "", std::string body = "");
  // Closes the connection in the middle of the answer.
  static FakeReply drop();
  FakeReply& after(std::chrono::milliseconds d) {
    delay = d;
    return *this;
  }
};

struct FakeRequest {
  std::string path;                                // "/v1/audio/transcriptions"
  std::map<std::string, std::string> query;        // URL query parameters (Deepgram)
  std::string authorization;                       // the Authorization header as sent
  std::multimap<std::string, std::string> fields;  // multipart text fields (OpenAI)
  std::string filename;                            // multipart file name (OpenAI)
  std::string content_type;                        // of the file part / raw body
  int64_t size = 0;                                // audio bytes received
  std::string sha256;                              // of the audio bytes
  double duration_s = -1;                          // probed from the bytes; -1: not media
  std::string codec;                               // probed audio codec
  // Where the upload is not silent (start, end), found like the real services hear it: a
  // real engine returns text only where someone speaks, so the generated answers do too.
  std::vector<std::pair<double, double>> speech;
  std::vector<std::string> problems;  // what the real service would have refused
  int status = 0;                     // what the fake answered (0: dropped)
  // When the whole request had arrived (before the fake inspected it): benchmarks model the
  // engine's answer time from here.
  std::chrono::steady_clock::time_point received;

  std::string field(const std::string& name) const;  // first value or ""
  std::vector<std::string> all(const std::string& name) const;
  bool has_field(const std::string& name) const { return fields.count(name) > 0; }
};

// Synthetic segments: the sentences of `text` spread evenly over [0, duration], with words.
std::vector<transcript::Segment> spread_text(const std::string& text, double duration,
                                             bool with_words);
// The same over the request's speech (from the first to the last speech), or over its whole
// duration when no speech span was found.
std::vector<transcript::Segment> spread_over_speech(const std::string& text,
                                                    const FakeRequest& request, bool with_words);

// The scripted queue, the fallback responder and the request log shared by the fakes.
// What a fake service refuses in one request: every reason is recorded on the request (tests
// read them all), the first decides the answer, as a real service stops at its first check.
struct Refusal {
  int status = 200;  // 200: nothing refused
  std::string message;
  void refuse(FakeRequest& request, int code, const std::string& why);
};

class FakeScript {
 public:
  using Responder = std::function<FakeReply(const FakeRequest&)>;
  void push(FakeReply reply);
  void set_responder(Responder responder);
  // The next scripted reply, else the responder's, else a plain transcript.
  FakeReply next(const FakeRequest& request);
  void record(FakeRequest request);
  std::vector<FakeRequest> requests() const;
  void clear();

 private:
  mutable std::mutex mutex_;
  std::deque<FakeReply> queue_;   // guarded by mutex_
  Responder responder_;           // guarded by mutex_
  std::vector<FakeRequest> log_;  // guarded by mutex_
};

}  // namespace tgscribe::engine::testing
