#include "store/sqlite/sqlite_job_stores.h"

#include "store/sqlite/sqlite_job_admin.h"
#include "store/sqlite/sqlite_job_queue.h"
#include "store/sqlite/sqlite_outbox.h"
#include "store/sqlite/sqlite_update_log.h"

namespace tgscribe::store {

JobStores make_sqlite_job_stores(std::shared_ptr<SqliteDb> db, Clock& clock, QueueOptions options) {
  auto tables = std::make_shared<SqliteJobTables>(std::move(db), clock, options);
  JobStores stores;
  stores.updates = std::make_unique<SqliteUpdateLog>(tables);
  stores.queue = std::make_unique<SqliteJobQueue>(tables);
  stores.outbox = std::make_unique<SqliteOutbox>(tables);
  stores.admin = std::make_unique<SqliteJobAdmin>(tables);
  return stores;
}

}  // namespace tgscribe::store
