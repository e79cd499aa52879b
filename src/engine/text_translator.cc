#include "engine/text_translator.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>
#include <vector>

#include "common/error.h"
#include "common/strings.h"
#include "engine/counted_completion.h"
#include "engine/language_codes.h"
#include "engine/token_estimate.h"

namespace tgscribe::engine {
namespace {

std::string language_label(const std::string& code) {
  std::string name = language_name(code);
  return name.empty() ? code : name + " (" + code + ")";
}

std::string system_prompt(const std::string& source, const std::string& target) {
  std::string from = source.empty() ? "" : " from " + language_label(source);
  return "You translate transcripts of voice messages, calls and meetings. Translate each "
         "numbered line the user sends" +
         from + " into " + language_label(target) +
         ". Answer with exactly the same numbered lines in the same order, one per line, as "
         "\"[n] translation\". Translate every line on its own: do not merge, split, add or "
         "leave out lines. Keep names and numbers as they are, and add no comments.";
}

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// Shares `text`'s words out over targets in proportion to `weights` (source lengths), in
// order; every target with weight gets at least one word while words last.
std::vector<std::string> share_out(const std::string& text, const std::vector<size_t>& weights) {
  std::vector<std::string> words = split_words(text);
  std::vector<std::string> out(weights.size());
  size_t total = 0;
  for (size_t w : weights) total += std::max<size_t>(1, w);
  size_t at = 0, acc = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    acc += std::max<size_t>(1, weights[i]);
    size_t until = i + 1 == weights.size()
                       ? words.size()
                       : std::min(words.size(), (words.size() * acc + total / 2) / total);
    until = std::max(until, std::min(words.size(), at + 1));
    // Leave a word for each target still to come, when there are enough.
    size_t left = weights.size() - i - 1;
    if (words.size() >= left && until > words.size() - left) until = words.size() - left;
    until = std::max(until, at);
    for (; at < until; ++at) out[i] += (out[i].empty() ? "" : " ") + words[at];
  }
  return out;
}

class Run {
 public:
  Run(TextModel& model, const TranslatorOptions& options, const TranslationRequest& request)
      : model_(model), options_(options), request_(request) {
    system_ = system_prompt(request.source->language, request.target_language);
  }

  // Translates lines[from, to) as one numbered batch. Returns number -> text (1-based within
  // the batch) as the model answered it.
  std::map<int, std::string> ask(const std::vector<std::string>& lines) {
    std::string user;
    for (size_t i = 0; i < lines.size(); ++i) {
      // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on "[" + std::to_string(..).
      user += '[';
      user += std::to_string(i + 1);
      user += "] ";
      user += lines[i];
      user += '\n';
    }
    Completion c =
        counted_completion(model_,
                           {.messages = {{"system", system_}, {"user", user}},
                            .max_tokens = static_cast<int>(answer_tokens(estimate_tokens(user))),
                            .temperature = 0.1,
                            .cancelled = request_.cancelled,
                            .user_id = request_.user_id},
                           result_, options_.max_calls, "translation");
    return parse_numbered_lines(c.text);
  }

  // The answer's budget for a batch of `text_tokens`: translations may take twice the tokens
  // of their source (Latin script into Cyrillic, Greek, Thai), plus the numbering.
  int64_t answer_tokens(int64_t text_tokens) const {
    return std::min<int64_t>(options_.max_answer_tokens, 2 * text_tokens + 64);
  }

  int64_t context() const {
    return static_cast<int64_t>(static_cast<double>(model_.context_tokens()) * scale_);
  }

  // Whether a batch of `text_tokens` (numbered lines) fits the context with its answer.
  bool fits(int64_t text_tokens) const {
    const int64_t framing = estimate_prompt_tokens({{"system", system_}, {"user", ""}});
    return framing + text_tokens + answer_tokens(text_tokens) <= context();
  }

  void shrink(int64_t context_before) {
    if (++shrinks_ > options_.max_shrinks) throw;
    if (model_.context_tokens() >= context_before) scale_ *= 0.7;
  }

  void check_cancelled() const {
    if (request_.cancelled && request_.cancelled()) {
      throw Error(ErrorKind::kCancelled, "cancelled");
    }
  }

  // Translations for `lines`, repaired as the header describes.
  std::vector<std::string> translate_batch(const std::vector<std::string>& lines) {
    auto answer = ask(lines);
    const size_t n = lines.size();
    std::vector<std::optional<std::string>> got(n);
    for (auto& [k, v] : answer) {
      if (k >= 1 && static_cast<size_t>(k) <= n && !trim(v).empty()) got[k - 1] = trim(v);
    }
    // The batch's own length ratio (translation chars per source char): the lower median over
    // the lines answered, so that a merged line (twice as long) does not skew it.
    std::vector<double> ratios;
    for (size_t i = 0; i < n; ++i) {
      if (got[i] && !lines[i].empty()) {
        ratios.push_back(static_cast<double>(got[i]->size()) /
                         static_cast<double>(lines[i].size()));
      }
    }
    std::sort(ratios.begin(), ratios.end());
    const double ratio = ratios.empty() ? 1.0 : ratios[(ratios.size() - 1) / 2];
    std::vector<std::string> out(n);
    std::vector<bool> done(n, false);
    for (size_t i = 0; i < n; ++i) {
      if (!got[i] || done[i]) continue;
      // The run of missing lines after i (or, for the batch's first lines, before i).
      size_t b = i, e = i + 1;
      while (e < n && !got[e]) ++e;
      if (b == first_answered(got)) {
        while (b > 0 && !got[b - 1]) --b;
      }
      if (e - b > 1) {
        size_t group_src = 0, own_src = lines[i].size();
        for (size_t k = b; k < e; ++k) group_src += lines[k].size();
        // Merged when the answer is clearly longer than its own line's share would be.
        const double own = ratio * static_cast<double>(own_src);
        const double all = ratio * static_cast<double>(group_src);
        if (static_cast<double>(got[i]->size()) >= own + 0.6 * (all - own)) {
          std::vector<size_t> weights;
          for (size_t k = b; k < e; ++k) weights.push_back(lines[k].size());
          auto parts = share_out(*got[i], weights);
          for (size_t k = b; k < e; ++k) {
            out[k] = parts[k - b];
            done[k] = true;
            if (k != i) ++result_.merged_lines;
          }
          continue;
        }
      }
      out[i] = *got[i];
      done[i] = true;
    }
    // Dropped lines: asked for again once, together; then left untranslated.
    std::vector<size_t> missing;
    for (size_t i = 0; i < n; ++i) {
      if (!done[i]) missing.push_back(i);
    }
    if (!missing.empty() && missing.size() < n) {
      std::vector<std::string> again;
      for (size_t i : missing) again.push_back(lines[i]);
      result_.reasked_lines += static_cast<int>(again.size());
      auto second = ask(again);
      for (size_t j = 0; j < missing.size(); ++j) {
        auto it = second.find(static_cast<int>(j + 1));
        if (it != second.end() && !trim(it->second).empty()) {
          out[missing[j]] = trim(it->second);
          done[missing[j]] = true;
        }
      }
    }
    for (size_t i = 0; i < n; ++i) {
      if (!done[i]) {
        out[i] = lines[i];
        ++result_.untranslated;
      }
    }
    if (result_.untranslated > 0 && missing.size() == n) {
      // Nothing usable at all: an endpoint answering something else, not a translation.
      throw Error(ErrorKind::kServer, model_.provider() + ": answer without numbered lines");
    }
    return out;
  }

  TranslationResult& result() { return result_; }

 private:
  static size_t first_answered(const std::vector<std::optional<std::string>>& got) {
    for (size_t i = 0; i < got.size(); ++i) {
      if (got[i]) return i;
    }
    return got.size();
  }

  TextModel& model_;
  const TranslatorOptions& options_;
  const TranslationRequest& request_;
  std::string system_;
  TranslationResult result_;
  double scale_ = 1.0;
  int shrinks_ = 0;
};

}  // namespace

std::map<int, std::string> parse_numbered_lines(const std::string& answer) {
  static const std::regex numbered(R"(^\s*(?:\[(\d{1,5})\]|(\d{1,5})[.):])\s*(.*)$)");
  std::map<int, std::string> out;
  std::istringstream in(answer);
  int last = -1;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::smatch m;
    if (std::regex_match(line, m, numbered)) {
      last = std::stoi(m[1].matched ? m[1].str() : m[2].str());
      std::string text = trim(m[3].str());
      auto& slot = out[last];
      slot += (slot.empty() || text.empty() ? "" : " ") + text;
    } else if (last >= 0 && !trim(line).empty()) {
      auto& slot = out[last];
      if (!slot.empty()) slot += ' ';
      slot += trim(line);
    }
  }
  return out;
}

TextTranslator::TextTranslator(TextModel& model, TranslatorOptions options)
    : model_(model), options_(options) {}

TranslationResult TextTranslator::translate(const TranslationRequest& request) {
  if (!request.source) throw Error(ErrorKind::kInvalidInput, "nothing to translate");
  const std::string target = to_lower(trim(request.target_language));
  if (target.size() != 2 || !std::isalpha(static_cast<unsigned char>(target[0])) ||
      !std::isalpha(static_cast<unsigned char>(target[1]))) {
    throw Error(ErrorKind::kInvalidInput,
                "target language must be an ISO 639-1 code, got \"" + target + "\"");
  }
  const transcript::Transcript& source = *request.source;
  TranslationResult result;
  result.transcript = source;
  result.transcript.language = target;
  if (to_iso639_1(source.language) == target) return result;
  for (auto& s : result.transcript.segments) s.words.clear();  // the source language's words

  // Segments with text, in order; empty ones stay as they are.
  std::vector<size_t> todo;
  for (size_t i = 0; i < source.segments.size(); ++i) {
    if (!trim(source.segments[i].text).empty()) todo.push_back(i);
  }
  TranslationRequest req = request;
  req.target_language = target;
  Run run(model_, options_, req);
  size_t at = 0;
  while (at < todo.size()) {
    run.check_cancelled();
    // As many lines as fit, at least one.
    std::vector<std::string> lines;
    int64_t tokens = 0;
    for (size_t k = at;
         k < todo.size() && static_cast<int>(lines.size()) < options_.max_lines_per_batch; ++k) {
      std::string line = trim(source.segments[todo[k]].text);
      // Line breaks inside a segment would break the numbering.
      std::replace(line.begin(), line.end(), '\n', ' ');
      const int64_t t = estimate_tokens(line) + 4;  // "[nn] " and the newline
      if (!lines.empty() && !run.fits(tokens + t)) break;
      lines.push_back(std::move(line));
      tokens += t;
    }
    if (!run.fits(tokens)) {
      throw Error(ErrorKind::kClient, "a segment is too long for the text model's context (" +
                                          std::to_string(model_.context_tokens()) + " tokens)");
    }
    const int64_t context_before = model_.context_tokens();
    std::vector<std::string> out;
    try {
      out = run.translate_batch(lines);
    } catch (const ContextTooLong&) {
      run.shrink(context_before);
      continue;  // the same lines again, in smaller batches
    }
    for (size_t j = 0; j < out.size(); ++j) {
      result.transcript.segments[todo[at + j]].text = out[j];
    }
    at += lines.size();
  }
  TranslationResult& r = run.result();
  result.prompt_tokens = r.prompt_tokens;
  result.completion_tokens = r.completion_tokens;
  result.calls = r.calls;
  result.model = r.model;
  result.merged_lines = r.merged_lines;
  result.reasked_lines = r.reasked_lines;
  result.untranslated = r.untranslated;
  return result;
}

}  // namespace tgscribe::engine
