#include "engine/testing/fake_deepgram.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "engine/testing/fake_http.h"
#include "http/testing/local_server.h"

namespace tgscribe::engine::testing {

using nlohmann::json;

struct FakeDeepgram::Impl {
  FakeDeepgramOptions options;
  FakeScript script;
  http::testing::LocalServer server;

  void handle(const httplib::Request& req, httplib::Response& res);
  std::string answer(const FakeRequest& r, const FakeReply& reply) const;
};

namespace {

// Deepgram's `word` is the bare lower-case token; `punctuated_word` keeps case and punctuation.
std::string bare(const std::string& w) {
  std::string out;
  for (unsigned char c : w) {
    if (std::isalnum(c) || c == '\'' || c >= 0x80) out += static_cast<char>(std::tolower(c));
  }
  return out;
}

// `speaker`: Deepgram's 0-based number, or -1 when the request did not ask to diarize.
json words_json(const std::vector<transcript::Word>& words, int speaker) {
  json out = json::array();
  for (const auto& w : words) {
    json j = {{"word", bare(w.text)},
              {"start", w.start},
              {"end", w.end},
              {"confidence", w.confidence < 0 ? 0.9 : w.confidence},
              {"punctuated_word", w.text}};
    if (speaker >= 0) {
      j["speaker"] = speaker;
      j["speaker_confidence"] = 0.8;
    }
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

std::string FakeDeepgram::Impl::answer(const FakeRequest& r, const FakeReply& reply) const {
  std::vector<transcript::Segment> segments =
      reply.segments ? *reply.segments : spread_over_speech(options.text, r, true);
  const bool diarize = r.query.count("diarize") && r.query.at("diarize") == "true";
  json all_words = json::array();
  json sentences = json::array();
  json paragraphs = json::array();
  json utterances = json::array();
  std::string transcript;
  int id = 0;
  int previous_speaker = -2;
  // Closes the paragraph in `sentences` (one per speaker turn when diarizing, else one).
  auto close_paragraph = [&](int speaker) {
    if (sentences.empty()) return;
    json para = {{"sentences", sentences},
                 {"start", sentences.front()["start"]},
                 {"end", sentences.back()["end"]},
                 {"num_words", 0}};
    if (speaker >= 0) para["speaker"] = speaker;
    paragraphs.push_back(std::move(para));
    sentences = json::array();
  };
  for (auto seg : segments) {
    int speaker = -1;
    if (diarize) {
      speaker = seg.speaker ? *seg.speaker - 1 : id % std::max(1, options.speakers);
      if (speaker != previous_speaker) close_paragraph(previous_speaker);
      previous_speaker = speaker;
    }
    if (seg.words.empty()) {
      // Scripted segments without words: one word per token, spread over the segment.
      auto tokens = split_list(seg.text, ' ');
      double step = (seg.end - seg.start) / std::max<size_t>(1, tokens.size());
      for (size_t i = 0; i < tokens.size(); ++i) {
        seg.words.push_back({seg.start + step * i, seg.start + step * (i + 1), tokens[i], 0.9});
      }
    }
    json w = words_json(seg.words, speaker);
    for (const auto& x : w) all_words.push_back(x);
    sentences.push_back({{"text", seg.text}, {"start", seg.start}, {"end", seg.end}});
    json utterance = {{"start", seg.start},
                      {"end", seg.end},
                      {"confidence", 0.9},
                      {"channel", 0},
                      {"transcript", seg.text},
                      {"words", w},
                      {"id", "utt-" + std::to_string(id++)}};
    if (speaker >= 0) utterance["speaker"] = speaker;
    utterances.push_back(std::move(utterance));
    transcript += (transcript.empty() ? "" : " ") + seg.text;
  }
  close_paragraph(diarize ? previous_speaker : -1);
  std::string language = !reply.language.empty()         ? reply.language
                         : r.query.count("language") > 0 ? r.query.at("language")
                                                         : options.detected_language;
  json channel = {{"alternatives",
                   {{{"transcript", transcript},
                     {"confidence", 0.9},
                     {"words", all_words},
                     {"paragraphs", {{"transcript", transcript}, {"paragraphs", paragraphs}}}}}}};
  if (r.query.count("detect_language")) {
    channel["detected_language"] = language;
    channel["language_confidence"] = 0.97;
  }
  json results = {{"channels", json::array({channel})}};
  if (options.utterances && r.query.count("utterances") && r.query.at("utterances") == "true") {
    results["utterances"] = utterances;
  }
  json j = {{"metadata",
             {{"request_id", "fake-" + r.sha256.substr(0, 8)},
              {"duration", std::max(0.0, r.duration_s)},
              {"channels", 1},
              {"models", json::array({"fake-model-id"})}}},
            {"results", results}};
  return j.dump();
}

void FakeDeepgram::Impl::handle(const httplib::Request& req, httplib::Response& res) {
  FakeRequest r;
  r.path = req.path;
  for (const auto& [k, v] : req.params) r.query[k] = v;
  r.authorization = req.get_header_value("Authorization");
  r.content_type = req.get_header_value("Content-Type");
  inspect_audio(req.body, r);

  Refusal verdict;
  auto refuse = [&](int code, const std::string& why) { verdict.refuse(r, code, why); };
  // Things the real API refuses.
  if (r.authorization != "Token " + options.api_key) refuse(401, "Invalid credentials.");
  if (r.size == 0) refuse(400, "Bad Request: payload is empty");
  if (r.size > 0 && r.duration_s < 0) {
    refuse(400, "Bad Request: failed to process audio: corrupt or unsupported data");
  }
  if (r.query.count("language") && r.query.count("detect_language")) {
    refuse(400, "language and detect_language are exclusive");
  }
  // Things our client must send (issue 4), recorded as problems without refusing.
  auto want = [&](const std::string& key, const std::string& value) {
    auto it = r.query.find(key);
    if (it == r.query.end() || (!value.empty() && it->second != value)) {
      r.problems.push_back("query " + key + (value.empty() ? "" : "=" + value) + " missing");
    }
  };
  want("model", "");
  want("smart_format", "true");
  want("utterances", "true");
  want("mip_opt_out", "true");
  if (!r.query.count("language")) want("detect_language", "true");
  if (!starts_with_icase(r.content_type, "audio/") &&
      !starts_with_icase(r.content_type, "video/") &&
      r.content_type != "application/octet-stream") {
    r.problems.push_back("Content-Type is not audio: " + r.content_type);
  }

  FakeReply reply =
      verdict.status == 200
          ? script.next(r)
          : FakeReply::error(
                verdict.status, "",
                json{{"err_code", verdict.status == 401 ? "INVALID_AUTH" : "Bad Request"},
                     {"err_msg", verdict.message},
                     {"request_id", "fake"}}
                    .dump());
  std::string body = reply.kind == FakeReply::Kind::kTranscript ? answer(r, reply) : "";
  write_reply(reply, body, res, r);
  script.record(std::move(r));
}

FakeDeepgram::FakeDeepgram(FakeDeepgramOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->server.server().Post(
      "/v1/listen",
      [this](const httplib::Request& req, httplib::Response& res) { impl_->handle(req, res); });
}

FakeDeepgram::~FakeDeepgram() { impl_->server.stop(); }

void FakeDeepgram::start() { impl_->server.start(); }
std::string FakeDeepgram::url() const { return impl_->server.url(); }
DeepgramSettings FakeDeepgram::settings() const {
  DeepgramSettings s;
  s.base_url = url();
  s.api_key = impl_->options.api_key;
  return s;
}
std::vector<FakeRequest> FakeDeepgram::requests() const { return impl_->script.requests(); }
void FakeDeepgram::script_next(FakeReply reply) { impl_->script.push(std::move(reply)); }
void FakeDeepgram::set_responder(FakeScript::Responder responder) {
  impl_->script.set_responder(std::move(responder));
}

}  // namespace tgscribe::engine::testing
