#pragma once
// "typing…" in the chats of running jobs, from one thread for the whole process: a chat
// action is pure decoration, so a slow Telegram call delays only other chats' decoration,
// never a job, a heartbeat or a shutdown.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "telegram/sender.h"

namespace tgscribe::jobs {

class ChatActions {
 public:
  explicit ChatActions(telegram::Sender& sender,
                       std::chrono::milliseconds period = std::chrono::milliseconds(4500));
  ~ChatActions();

  // Shows "typing" in the chat (and topic) while the returned scope lives.
  class Scope {
   public:
    Scope(ChatActions* owner, int64_t key) : owner_(owner), key_(key) {}
    Scope(Scope&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)), key_(o.key_) {}
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope() {
      if (owner_) owner_->remove(key_);
    }

   private:
    ChatActions* owner_;
    int64_t key_;
  };
  Scope typing(int64_t chat_id, std::optional<int64_t> thread_id);

 private:
  struct Active {
    int64_t chat_id;
    std::optional<int64_t> thread_id;
    std::chrono::steady_clock::time_point next;
  };
  void remove(int64_t key);
  void loop(std::stop_token st);

  telegram::Sender& sender_;
  const std::chrono::milliseconds period_;
  std::mutex mutex_;
  std::condition_variable_any cv_;
  int64_t next_key_ = 1;              // guarded by mutex_
  std::map<int64_t, Active> active_;  // guarded by mutex_
  std::jthread thread_;               // last
};

}  // namespace tgscribe::jobs
