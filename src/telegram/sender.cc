#include "telegram/sender.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/backoff.h"
#include "common/metrics.h"
#include "common/strings.h"

namespace tgscribe::telegram {
namespace {

using std::chrono::milliseconds;

milliseconds ceil_ms(std::chrono::steady_clock::duration d) {
  return std::chrono::ceil<milliseconds>(d);
}

bool thread_not_found(const ApiError& e) {
  return e.error_code() == 400 &&
         to_lower(e.description()).find("thread not found") != std::string::npos;
}

}  // namespace

Sender::Sender(BotApi& api, SenderOptions options, Clock& clock)
    : api_(api), options_(options), clock_(clock), limiter_(options.limits) {}

int64_t Sender::resolve_chat(int64_t chat_id) const {
  std::lock_guard lock(mutex_);
  // Chains (group -> supergroup) are one hop in practice; the bound guards against a cycle.
  for (int i = 0; i < 4; ++i) {
    auto it = migrated_.find(chat_id);
    if (it == migrated_.end()) break;
    chat_id = it->second;
  }
  return chat_id;
}

void Sender::note_migration(int64_t from, int64_t to) {
  {
    std::lock_guard lock(mutex_);
    migrated_[from] = to;
  }
  spdlog::info("telegram: chat {} migrated to {}", from, to);
  if (on_migrate_) on_migrate_(from, to);
}

void Sender::wait_until(std::chrono::steady_clock::time_point t) {
  auto now = clock_.now();
  if (t > now) clock_.sleep_for(ceil_ms(t - now));
}

template <typename Fn>
auto Sender::deliver(const char* method, int64_t chat_id, std::optional<int64_t>* thread,
                     const CallOptions& call, Fn&& fn) -> decltype(fn(int64_t{})) {
  milliseconds backoff = options_.backoff_initial;
  int migrations = 0;
  for (int attempt = 1;; ++attempt) {
    chat_id = resolve_chat(chat_id);
    auto now = clock_.now();
    auto blocked = limiter_.blocked_until(chat_id, now);
    if (blocked > now && (!call.wait_for_chat || blocked - now > options_.max_wait)) {
      throw ApiError(ErrorKind::kRateLimited, method, 429,
                     "Too Many Requests: chat is flood-blocked", ceil_ms(blocked - now));
    }
    wait_until(limiter_.reserve_chat(chat_id, now));
    wait_until(limiter_.reserve_global(clock_.now()));
    try {
      return fn(chat_id);
    } catch (const ApiError& e) {
      if (auto to = e.migrate_to_chat_id(); to && migrations < 3) {
        ++migrations;
        note_migration(chat_id, *to);
        --attempt;  // a migration is an answer, not a failure
        continue;
      }
      if (thread && thread->has_value() && thread_not_found(e)) {
        // The topic was closed or deleted: better in the general chat than not at all.
        spdlog::warn("telegram: {} topic {} not found in chat {}, sending without it", method,
                     **thread, chat_id);
        thread->reset();
        --attempt;
        continue;
      }
      if (e.kind() == ErrorKind::kRateLimited) {
        metrics::Registry::global().counter_add("telegram_rate_limited_total",
                                                {{"method", method}});
        milliseconds wait = e.retry_after().value_or(milliseconds(1000));
        auto t = clock_.now();
        if (limiter_.block(chat_id, t + wait, t)) {
          spdlog::warn(
              "telegram: {} to chat {} hit flood control, and so did other chats: "
              "the bot-wide limit, every chat waits {} ms",
              method, chat_id, wait.count());
        } else {
          spdlog::warn("telegram: {} to chat {} hit flood control, retry after {} ms", method,
                       chat_id, wait.count());
        }
        if (!call.wait_for_chat || attempt >= options_.max_attempts || wait > options_.max_wait) {
          throw;
        }
        continue;  // the next reservation waits for the block
      }
      if (e.retryable() && attempt < options_.max_attempts) {
        spdlog::warn("telegram: {} failed ({}), retrying in {} ms", method, e.what(),
                     backoff.count());
        clock_.sleep_for(backoff);
        backoff = next_backoff(backoff, options_.backoff_max);
        continue;
      }
      throw;
    }
  }
}

Message Sender::send_message(SendMessageParams params, CallOptions call) {
  return deliver("sendMessage", params.chat_id, &params.message_thread_id, call, [&](int64_t chat) {
    params.chat_id = chat;
    return api_.send_message(params);
  });
}

bool Sender::edit_message_text(EditMessageTextParams params, CallOptions call) {
  return deliver("editMessageText", params.chat_id, nullptr, call, [&](int64_t chat) {
    params.chat_id = chat;
    try {
      api_.edit_message_text(params);
      return true;
    } catch (const ApiError& e) {
      if (e.is_not_modified()) return false;
      throw;
    }
  });
}

Message Sender::send_document(SendDocumentParams params, CallOptions call) {
  return deliver("sendDocument", params.chat_id, &params.message_thread_id, call,
                 [&](int64_t chat) {
                   params.chat_id = chat;
                   return api_.send_document(params);
                 });
}

bool Sender::send_chat_action(int64_t chat_id, const std::string& action,
                              std::optional<int64_t> message_thread_id) {
  chat_id = resolve_chat(chat_id);
  auto now = clock_.now();
  if (limiter_.blocked_until(chat_id, now) > now) return false;
  // Chat actions are not messages: they count only against the bot-wide budget, and only
  // use what messages leave free. In a burst the status replies take every slot ("typing…"
  // would delay them by a third: 80 actions among 300 first replies), and skipping one costs
  // nothing: the next comes within seconds.
  if (!limiter_.try_reserve_global(now)) return false;
  try {
    api_.send_chat_action(chat_id, action, message_thread_id);
    return true;
  } catch (const ApiError& e) {
    if (e.kind() == ErrorKind::kRateLimited) {
      auto t = clock_.now();
      limiter_.block(chat_id, t + e.retry_after().value_or(milliseconds(1000)), t);
    } else if (auto to = e.migrate_to_chat_id()) {
      note_migration(chat_id, *to);
    }
    spdlog::debug("telegram: sendChatAction to {} failed: {}", chat_id, e.what());
    return false;
  } catch (const std::exception& e) {
    spdlog::debug("telegram: sendChatAction to {} failed: {}", chat_id, e.what());
    return false;
  }
}

}  // namespace tgscribe::telegram
