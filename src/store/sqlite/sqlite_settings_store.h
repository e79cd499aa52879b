#pragma once
// Chat settings in DATA_DIR/tgscribe.db, next to the queue (QUEUE_TYPE=sqlite).
#include <memory>

#include "store/settings_store.h"
#include "store/sqlite/sqlite_db.h"

namespace tgscribe::store {

class SqliteSettingsStore : public SettingsStore {
 public:
  explicit SqliteSettingsStore(std::shared_ptr<SqliteDb> db) : db_(std::move(db)) {}

  ChatSettings get(int64_t chat_id) override;
  void put(int64_t chat_id, const ChatSettings& settings) override;
  void forget_chat(int64_t chat_id) override;

 private:
  std::shared_ptr<SqliteDb> db_;
};

}  // namespace tgscribe::store
