#include "store/sqlite/sqlite_job_stores.h"

#include "store/sqlite/sqlite_job_admin.h"
#include "store/sqlite/sqlite_job_queue.h"
#include "store/sqlite/sqlite_outbox.h"
#include "store/sqlite/sqlite_update_log.h"

namespace tgscribe::store {

JobStores make_sqlite_job_stores(std::shared_ptr<SqliteDb> db, Clock& clock, QueueOptions options) {
  auto tables = std::make_shared<SqliteJobTables>(std::move(db), clock, options);
  return make_job_stores<SqliteUpdateLog, SqliteJobQueue, SqliteOutbox, SqliteJobAdmin>(tables);
}

}  // namespace tgscribe::store
