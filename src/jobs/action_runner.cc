#include "jobs/action_runner.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>

#include "common/error.h"
#include "common/strings.h"
#include "engine/summarizer.h"
#include "engine/text_translator.h"
#include "i18n/i18n.h"
#include "jobs/job_metrics.h"
#include "transcript/message_splitter.h"
#include "transcript/writers.h"

namespace tgscribe::jobs {
namespace {

using i18n::Msg;
using i18n::tr;

constexpr size_t kTelegramTextLimit = 4096;

// The text model as the action sees it: every answer's tokens are booked in the usage ledger
// for the job's user (engine "llm:<provider>"), whichever part of a summary or translation
// asked. The Prometheus series tgscribe_llm_tokens_total is counted by the chat-completions
// client itself (engine/chat_completions_client.cc), so it is not counted again here.
class BookedTextModel : public engine::TextModel {
 public:
  BookedTextModel(engine::TextModel& inner, JobEnv& env, int64_t user_id,
                  std::function<bool()> cancelled)
      : inner_(inner), env_(env), user_id_(user_id), cancelled_(std::move(cancelled)) {}
  const std::string& provider() const override { return inner_.provider(); }
  const std::string& model() const override { return inner_.model(); }
  int64_t context_tokens() const override { return inner_.context_tokens(); }
  engine::Completion complete(const engine::CompletionRequest& request) override {
    engine::CompletionRequest r = request;
    r.user_id = user_id_;
    if (!r.cancelled) r.cancelled = cancelled_;
    engine::Completion c = inner_.complete(r);
    calls_.fetch_add(1);
    int64_t tokens = c.prompt_tokens + c.completion_tokens;
    tokens_.fetch_add(tokens);
    if (env_.usage && tokens > 0) {
      try {
        store::Usage u;
        u.tokens = tokens;
        env_.usage->add(user_id_, store::utc_day(env_.clock.unix_ms()), "llm:" + inner_.provider(),
                        u);
      } catch (const std::exception& e) {
        // Accounting never fails an action.
        spdlog::warn("usage: booking {} LLM tokens of user {} failed: {}", tokens, user_id_,
                     e.what());
      }
    }
    return c;
  }
  int calls() const { return calls_.load(); }
  int64_t tokens() const { return tokens_.load(); }

 private:
  engine::TextModel& inner_;
  JobEnv& env_;
  int64_t user_id_;
  std::function<bool()> cancelled_;
  std::atomic<int> calls_{0};
  std::atomic<int64_t> tokens_{0};
};

transcript::Transcript one_segment(const std::string& text, const transcript::Transcript& like,
                                   const std::string& model) {
  transcript::Transcript t;
  t.language = like.language;
  t.duration = like.duration;
  t.engine = "llm";
  t.model = model;
  t.segments.push_back({0, like.duration, text, {}, {}, {}, {}, {}});
  return t;
}

std::string summarize_with(engine::TextModel& model, const transcript::Transcript& t,
                           const std::function<bool()>& cancelled) {
  engine::SummaryRequest r;
  r.text = t.text();
  r.language = t.language;
  r.cancelled = cancelled;
  return engine::Summarizer(model).summarize(r).text;
}

transcript::Transcript translate_with(engine::TextModel& model, const transcript::Transcript& t,
                                      const std::string& target,
                                      const std::function<bool()>& cancelled) {
  engine::TranslationRequest r;
  r.source = &t;
  r.target_language = target;
  r.cancelled = cancelled;
  engine::TranslationResult result = engine::TextTranslator(model).translate(r);
  if (result.untranslated > 0) {
    spdlog::warn("action: {} line(s) left untranslated by the model", result.untranslated);
  }
  return std::move(result.transcript);
}

}  // namespace

std::string action_cache_key(const std::string& sha256, ActionKind kind, const std::string& model,
                             const std::string& language) {
  return sha256 + "|action:" + action_name(kind) + "|" + model + "|" +
         (language.empty() ? "auto" : language);
}

// The source transcript and what names its content in the cache.
struct ActionRunner::Source {
  transcript::Transcript transcript;
  std::string sha256;           // "" when unknown (cache off): nothing is cached then
  std::filesystem::path media;  // set once downloaded
};

ActionRunner::ActionRunner(JobEnv& env, const TranscriptMessages& messages)
    : env_(env), messages_(messages) {}

ActionRunner::Source ActionRunner::source_transcript(const JobPayload& p,
                                                     const ActionSteps& steps) {
  Source src;
  // The transcript the buttons are under was cached when it was made: no download, no engine.
  if (env_.results && env_.cache && !p.media.file_unique_id.empty()) {
    if (auto t = env_.results->lookup_file(p.media.file_unique_id, p.language)) {
      if (auto sha = env_.cache->sha_for_file(p.media.file_unique_id)) {
        src.transcript = std::move(*t);
        src.sha256 = *sha;
        return src;
      }
    }
  }
  // Expired or never cached (CACHE_ENABLED=false): the pipeline again, with its caches.
  src.media = steps.download(&src.sha256);
  pipeline::Result r = steps.transcribe();
  src.transcript = std::move(r.transcript);
  if (!r.sha256.empty()) src.sha256 = r.sha256;
  if (!env_.cache) src.sha256.clear();
  return src;
}

std::string ActionRunner::summary(const Source& src, const JobPayload& p,
                                  const ActionSteps& steps) {
  if (!env_.text_model) {
    throw Error(ErrorKind::kInvalidInput, "summary: no text model is configured (LLM_*)");
  }
  const std::string language = src.transcript.language;
  std::string key;
  if (!src.sha256.empty()) {
    key = action_cache_key(src.sha256, ActionKind::kSummary, env_.text_model->model(), language);
    if (auto hit = env_.cache->get(key)) {
      spdlog::info("action: summary of {} answered from the cache", src.sha256.substr(0, 12));
      return hit->text();
    }
  }
  BookedTextModel model(*env_.text_model, env_, p.user_id, steps.cancelled);
  std::string text = summarize_with(model, src.transcript, steps.cancelled);
  spdlog::info("action: summary made with {} call(s), {} tokens", model.calls(), model.tokens());
  if (!key.empty()) {
    try {
      env_.cache->put(key, one_segment(text, src.transcript, env_.text_model->model()), p.user_id);
    } catch (const std::exception& e) {
      spdlog::warn("action: caching the summary failed: {}", e.what());
    }
  }
  return text;
}

transcript::Transcript ActionRunner::translation(Source& src, const JobPayload& p,
                                                 const ActionSteps& steps) {
  const std::string& target = p.target_language;
  ActionMenu menu = action_menu(env_.config, env_.text_model != nullptr);
  if (target == "en" && menu.engine_translation) {
    // The engine's own translation endpoint, from the audio: the pipeline caches it under the
    // content key with task "translate", and the metered engine books its audio seconds.
    if (src.media.empty()) src.media = steps.download(&src.sha256);
    pipeline::Request req;
    req.path = src.media;
    req.filename = src.media.filename().string();
    req.language = p.language;
    req.translate = true;
    req.sha256 = src.sha256;
    req.file_unique_id = p.media.file_unique_id;
    req.user_id = p.user_id;
    req.cancelled = steps.cancelled;
    pipeline::Result r = env_.pipeline->transcribe(req);
    if (!r.cache_hit && !r.joined) {
      metrics::add_audio_seconds(r.transcript.duration,
                                 r.transcript.engine.empty() ? "unknown" : r.transcript.engine);
    }
    spdlog::info("action: English translation by {} ({})", r.transcript.engine,
                 r.cache_hit ? "cache" : "engine");
    return r.transcript;
  }
  if (!env_.text_model) {
    throw Error(ErrorKind::kInvalidInput,
                "translation to " + target + ": no text model is configured (LLM_*)");
  }
  std::string key;
  if (!src.sha256.empty()) {
    key = action_cache_key(src.sha256, ActionKind::kTranslate, env_.text_model->model(), target);
    if (auto hit = env_.cache->get(key)) {
      spdlog::info("action: translation to {} answered from the cache", target);
      return *hit;
    }
  }
  BookedTextModel model(*env_.text_model, env_, p.user_id, steps.cancelled);
  transcript::Transcript t = translate_with(model, src.transcript, target, steps.cancelled);
  spdlog::info("action: translation to {} made with {} call(s), {} tokens", target, model.calls(),
               model.tokens());
  if (!key.empty()) {
    try {
      env_.cache->put(key, t, p.user_id);
    } catch (const std::exception& e) {
      spdlog::warn("action: caching the translation failed: {}", e.what());
    }
  }
  return t;
}

std::vector<store::OutboxEntry> ActionRunner::run(const store::Job& job, const JobPayload& p,
                                                  const ActionSteps& steps) {
  auto kind = action_from_name(p.action);
  if (!kind) throw Error(ErrorKind::kInvalidInput, "unknown action: " + p.action);
  i18n::Lang lang = i18n::lang_for(p.user_lang);
  Source src = source_transcript(p, steps);
  if (trim(src.transcript.text()).empty()) {
    return {TranscriptMessages::notice(job.id, p, "nospeech", tr(lang, Msg::kNoSpeech))};
  }
  switch (*kind) {
    case ActionKind::kSummary: {
      std::string header = tr(lang, Msg::kSummaryHeader);
      std::vector<std::string> parts = transcript::split_message(
          header + "\n\n" + trim(summary(src, p, steps)), kTelegramTextLimit);
      std::vector<store::OutboxEntry> out;
      for (size_t i = 0; i < parts.size(); ++i) {
        out.push_back(
            make_entry(job.id + ":text:" + std::to_string(i), job.id, reply_message(p, parts[i])));
      }
      return out;
    }
    case ActionKind::kTranslate:
      return messages_.transcript(job.id, p, translation(src, p, steps));
    case ActionKind::kSubtitles: {
      OutboxMessage m = reply_message(p, "");
      m.method = OutboxMessage::Method::kSendDocument;
      m.file_name = TranscriptMessages::output_name(p, "srt");
      m.mime_type = transcript::content_type(transcript::Format::kSrt);
      m.content = transcript::render(transcript::Format::kSrt, src.transcript, p.media.file_name);
      return {make_entry(job.id + ":file:srt", job.id, m)};
    }
  }
  return {};
}

}  // namespace tgscribe::jobs
