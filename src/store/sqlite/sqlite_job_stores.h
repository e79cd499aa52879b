#pragma once
// The SQLite job stores (QUEUE_TYPE=sqlite, the default): updates, queue and outbox on one
// connection, so admit() and finish() are each one transaction.
#include <memory>

#include "common/clock.h"
#include "store/job_stores.h"
#include "store/queue_policy.h"
#include "store/sqlite/sqlite_db.h"

namespace tgscribe::store {

JobStores make_sqlite_job_stores(std::shared_ptr<SqliteDb> db, Clock& clock,
                                 QueueOptions options = {});

}  // namespace tgscribe::store
