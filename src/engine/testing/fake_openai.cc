#include "engine/testing/fake_openai.h"

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "engine/testing/fake_http.h"
#include "http/testing/local_server.h"

namespace tgscribe::engine::testing {

using nlohmann::json;

struct FakeOpenAi::Impl {
  FakeOpenAiOptions options;
  std::mutex mutex;  // guards options.text
  FakeScript script;
  http::testing::LocalServer server;

  void handle(const httplib::Request& req, httplib::Response& res, bool translate);
  std::string answer(const FakeRequest& r, const FakeReply& reply, bool translate);
};

namespace {

const char* kIsoToName(const std::string& code) {
  if (code == "en") return "english";
  if (code == "id") return "indonesian";
  if (code == "de") return "german";
  if (code == "fr") return "french";
  if (code == "es") return "spanish";
  return "english";
}

}  // namespace

std::string FakeOpenAi::Impl::answer(const FakeRequest& r, const FakeReply& reply, bool translate) {
  const bool words = [&] {
    auto g = r.all("timestamp_granularities[]");
    return std::find(g.begin(), g.end(), "word") != g.end();
  }();
  std::vector<transcript::Segment> segments;
  if (reply.segments) {
    segments = *reply.segments;
  } else {
    std::lock_guard lock(mutex);
    segments = spread_over_speech(options.text, r, words);
  }
  std::string text;
  for (const auto& s : segments) text += (text.empty() ? "" : " ") + s.text;
  std::string format = r.field("response_format");
  if (format.empty() || format == "json") return json{{"text", text}}.dump();
  std::string language = translate                      ? "english"
                         : !reply.language.empty()      ? kIsoToName(reply.language)
                         : !r.field("language").empty() ? kIsoToName(r.field("language"))
                                                        : options.language_name;
  json j = {{"task", translate ? "translate" : "transcribe"},
            {"language", language},
            {"duration", std::max(0.0, r.duration_s)},
            {"text", text}};
  json segs = json::array();
  json all_words = json::array();
  int id = 0;
  for (const auto& s : segments) {
    segs.push_back({{"id", id++},
                    {"seek", 0},
                    {"start", s.start},
                    {"end", s.end},
                    {"text", " " + s.text},
                    {"tokens", json::array()},
                    {"temperature", 0.0},
                    {"avg_logprob", s.avg_logprob.value_or(-0.2)},
                    {"compression_ratio", s.compression_ratio.value_or(1.3)},
                    {"no_speech_prob", s.no_speech_prob.value_or(0.01)}});
    for (const auto& w : s.words) {
      all_words.push_back({{"word", w.text}, {"start", w.start}, {"end", w.end}});
    }
  }
  j["segments"] = segs;
  if (words) j["words"] = all_words;
  return j.dump();
}

void FakeOpenAi::Impl::handle(const httplib::Request& req, httplib::Response& res, bool translate) {
  FakeRequest r;
  r.path = req.path;
  r.authorization = req.get_header_value("Authorization");
  for (const auto& [name, part] : req.files) {
    if (name == "file") {
      r.filename = part.filename;
      r.content_type = part.content_type;
      inspect_audio(part.content, r);
    } else {
      r.fields.emplace(name, part.content);
    }
  }
  // The checks of the real services, in their order: auth, then the form, then the file.
  int status = 200;
  std::string message;
  auto refuse = [&](int code, const std::string& why) {
    r.problems.push_back(why);
    if (status == 200) {
      status = code;
      message = why;
    }
  };
  if (!options.api_key.empty() && r.authorization != "Bearer " + options.api_key) {
    refuse(401, "Invalid API Key");
  }
  if (options.api_key.empty() && !r.authorization.empty()) {
    r.problems.push_back("Authorization sent to a server without a key");
  }
  if (!req.is_multipart_form_data()) refuse(400, "request must be multipart/form-data");
  if (!req.has_file("file")) refuse(400, "file is required");
  if (r.field("model").empty()) refuse(400, "model is required");
  std::string ext = file_extension(r.filename);
  if (req.has_file("file") &&
      std::find(options.accepted_extensions.begin(), options.accepted_extensions.end(), ext) ==
          options.accepted_extensions.end()) {
    refuse(400,
           "file must be one of the following types: flac mp3 mp4 mpeg mpga m4a ogg wav "
           "webm (got ." +
               ext + ")");
  }
  if (r.size > options.max_upload_bytes) refuse(413, "Request Entity Too Large");
  if (r.has_field("language")) {
    std::string lang = r.field("language");
    if (lang.size() != 2 || lang == "auto") refuse(400, "language must be ISO-639-1: " + lang);
    if (translate && lang != "en") refuse(400, "translations only support language en");
  }
  std::string format = r.field("response_format");
  if (!format.empty() && format != "json" && format != "text" && format != "verbose_json") {
    refuse(400, "response_format must be json, text or verbose_json");
  }
  if (r.has_field("timestamp_granularities[]") && format != "verbose_json") {
    refuse(400, "timestamp_granularities requires response_format=verbose_json");
  }
  if (req.has_file("file") && r.duration_s < 0) {
    refuse(400, "could not process file - is it a valid media file?");
  }

  FakeReply reply =
      status == 200
          ? script.next(r)
          : FakeReply::error(status, "", openai_error_body(message, "invalid_request_error"));
  std::string body = reply.kind == FakeReply::Kind::kTranscript ? answer(r, reply, translate) : "";
  write_reply(reply, body, res, r);
  script.record(std::move(r));
}

FakeOpenAi::FakeOpenAi(FakeOpenAiOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  auto& s = impl_->server.server();
  s.Post(R"(.*/audio/transcriptions)", [this](const httplib::Request& req, httplib::Response& res) {
    impl_->handle(req, res, false);
  });
  s.Post(R"(.*/audio/translations)", [this](const httplib::Request& req, httplib::Response& res) {
    impl_->handle(req, res, true);
  });
}

FakeOpenAi::~FakeOpenAi() { impl_->server.stop(); }

void FakeOpenAi::start() { impl_->server.start(); }
std::string FakeOpenAi::url() const { return impl_->server.url() + "/v1"; }
std::vector<FakeRequest> FakeOpenAi::requests() const { return impl_->script.requests(); }
void FakeOpenAi::script_next(FakeReply reply) { impl_->script.push(std::move(reply)); }
void FakeOpenAi::set_responder(FakeScript::Responder responder) {
  impl_->script.set_responder(std::move(responder));
}
void FakeOpenAi::set_text(const std::string& text) {
  std::lock_guard lock(impl_->mutex);
  impl_->options.text = text;
}

}  // namespace tgscribe::engine::testing
