#include "engine/testing/fake_reply.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "common/sha256.h"
#include "common/strings.h"
#include "engine/testing/fake_http.h"
#include "media/media_error.h"
#include "media/media_info.h"
#include "media/media_source.h"
#include "media/silence.h"

namespace tgscribe::engine::testing {

FakeReply FakeReply::with_segments(std::vector<transcript::Segment> segments,
                                   std::string language) {
  FakeReply r;
  r.segments = std::move(segments);
  r.language = std::move(language);
  return r;
}

FakeReply FakeReply::error(int status, std::string retry_after, std::string body) {
  FakeReply r;
  r.kind = Kind::kStatus;
  r.status = status;
  r.body = std::move(body);
  if (!retry_after.empty()) r.headers["Retry-After"] = retry_after;
  return r;
}

FakeReply FakeReply::drop() {
  FakeReply r;
  r.kind = Kind::kDrop;
  return r;
}

std::string FakeRequest::field(const std::string& name) const {
  auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

std::vector<std::string> FakeRequest::all(const std::string& name) const {
  std::vector<std::string> out;
  auto [b, e] = fields.equal_range(name);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

std::vector<transcript::Segment> spread_text(const std::string& text, double duration,
                                             bool with_words) {
  // Sentences end at '.', '?' or '!'.
  std::vector<std::string> sentences;
  std::string cur;
  for (char c : text) {
    cur += c;
    if (c == '.' || c == '?' || c == '!') {
      if (auto s = trim(cur); !s.empty()) sentences.push_back(s);
      cur.clear();
    }
  }
  if (auto s = trim(cur); !s.empty()) sentences.push_back(s);
  std::vector<transcript::Segment> out;
  if (sentences.empty() || duration <= 0) return out;
  double step = duration / static_cast<double>(sentences.size());
  for (size_t i = 0; i < sentences.size(); ++i) {
    transcript::Segment seg;
    seg.start = step * static_cast<double>(i);
    seg.end = std::min(duration, seg.start + step);
    seg.text = sentences[i];
    seg.avg_logprob = -0.2;
    seg.no_speech_prob = 0.01;
    seg.compression_ratio = 1.3;
    if (with_words) {
      std::istringstream in(sentences[i]);
      std::vector<std::string> words;
      for (std::string w; in >> w;) words.push_back(w);
      double wstep = (seg.end - seg.start) / static_cast<double>(words.size());
      for (size_t k = 0; k < words.size(); ++k) {
        seg.words.push_back({seg.start + wstep * static_cast<double>(k),
                             seg.start + wstep * static_cast<double>(k + 1), words[k], 0.95});
      }
    }
    out.push_back(std::move(seg));
  }
  return out;
}

std::vector<transcript::Segment> spread_over_speech(const std::string& text,
                                                    const FakeRequest& request, bool with_words) {
  if (request.speech.empty()) {
    return spread_text(text, std::max(0.0, request.duration_s), with_words);
  }
  const double from = request.speech.front().first, to = request.speech.back().second;
  auto segments = spread_text(text, to - from, with_words);
  for (auto& s : segments) {
    s.start += from;
    s.end += from;
    for (auto& w : s.words) {
      w.start += from;
      w.end += from;
    }
  }
  return segments;
}

void Refusal::refuse(FakeRequest& request, int code, const std::string& why) {
  request.problems.push_back(why);
  if (status == 200) {
    status = code;
    message = why;
  }
}

void FakeScript::push(FakeReply reply) {
  std::lock_guard lock(mutex_);
  queue_.push_back(std::move(reply));
}

void FakeScript::set_responder(Responder responder) {
  std::lock_guard lock(mutex_);
  responder_ = std::move(responder);
}

FakeReply FakeScript::next(const FakeRequest& request) {
  Responder responder;
  {
    std::lock_guard lock(mutex_);
    if (!queue_.empty()) {
      FakeReply r = std::move(queue_.front());
      queue_.pop_front();
      return r;
    }
    responder = responder_;
  }
  return responder ? responder(request) : FakeReply::transcript();
}

void FakeScript::record(FakeRequest request) {
  std::lock_guard lock(mutex_);
  log_.push_back(std::move(request));
}

std::vector<FakeRequest> FakeScript::requests() const {
  std::lock_guard lock(mutex_);
  return log_;
}

void FakeScript::clear() {
  std::lock_guard lock(mutex_);
  queue_.clear();
  log_.clear();
}

void inspect_audio(const std::string& bytes, FakeRequest& request, double min_silence_s) {
  request.size = static_cast<int64_t>(bytes.size());
  request.sha256 = Sha256::of(bytes);
  static std::atomic<int> counter{0};
  auto path =
      std::filesystem::temp_directory_path() /
      ("tgscribe-fake-upload-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  try {
    media::MediaInfo info = media::probe_file(path, media::MediaLimits{});
    request.duration_s = info.duration_s;
    request.codec = info.audio_codec;
    if (min_silence_s >= 0) {  // negative: the duration only (no decoding)
      double at = 0;
      for (const auto& quiet :
           media::find_silences(media::MediaSource::from_path(path),
                                media::SilenceOptions{.min_silence_s = min_silence_s})) {
        if (quiet.start_s > at) request.speech.emplace_back(at, quiet.start_s);
        at = std::max(at, quiet.end_s);
      }
      if (info.duration_s > at + 0.05) request.speech.emplace_back(at, info.duration_s);
    }
  } catch (const std::exception&) {
    request.duration_s = -1;
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
}

std::string openai_error_body(const std::string& message, const std::string& type) {
  return nlohmann::json{{"error", {{"message", message}, {"type", type}}}}.dump();
}

void write_reply(const FakeReply& reply, const std::string& json_body, httplib::Response& res,
                 FakeRequest& request) {
  if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
  for (const auto& [k, v] : reply.headers) res.set_header(k, v);
  switch (reply.kind) {
    case FakeReply::Kind::kDrop:
      request.status = 0;
      // Headers go out, then the connection closes before any body: the client sees a
      // transfer cut short, as with a crashed upstream or a reset connection.
      res.set_chunked_content_provider("application/json",
                                       [](size_t, httplib::DataSink&) { return false; });
      return;
    case FakeReply::Kind::kStatus:
      request.status = reply.status;
      res.status = reply.status;
      res.set_content(
          reply.body.empty() ? openai_error_body("scripted failure", "server_error") : reply.body,
          "application/json");
      return;
    case FakeReply::Kind::kTranscript:
      request.status = 200;
      res.status = 200;
      res.set_content(reply.body.empty() ? json_body : reply.body, "application/json");
      return;
  }
}

}  // namespace tgscribe::engine::testing
