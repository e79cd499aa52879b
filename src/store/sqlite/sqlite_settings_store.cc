#include "store/sqlite/sqlite_settings_store.h"

namespace tgscribe::store {

ChatSettings SqliteSettingsStore::get(int64_t chat_id) {
  return db_->read([&] {
    Statement q = db_->prepare(
        "SELECT language, auto_mode, formats, timestamps, speakers FROM chat_settings "
        "WHERE chat_id = ?1");
    q.bind_all(chat_id);
    ChatSettings s;
    if (q.step()) {
      s.language = q.text_at(0);
      s.auto_mode = q.int_at(1) != 0;
      s.formats = formats_from_text(q.text_at(2));
      s.timestamps = q.int_at(3) != 0;
      s.speakers = q.int_at(4) != 0;
    }
    return s;
  });
}

void SqliteSettingsStore::put(int64_t chat_id, const ChatSettings& settings) {
  db_->write([&] {
    db_->prepare(
           "INSERT INTO chat_settings (chat_id, language, auto_mode, formats, timestamps, "
           "speakers) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
           "ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language, "
           "auto_mode = excluded.auto_mode, formats = excluded.formats, "
           "timestamps = excluded.timestamps, speakers = excluded.speakers")
        .bind_all(chat_id, settings.language, settings.auto_mode, formats_to_text(settings.formats),
                  settings.timestamps, settings.speakers)
        .run();
  });
}

void SqliteSettingsStore::forget_chat(int64_t chat_id) {
  db_->write([&] {
    db_->prepare("DELETE FROM chat_settings WHERE chat_id = ?1").bind_all(chat_id).run();
  });
}

}  // namespace tgscribe::store
