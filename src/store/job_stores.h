#pragma once
// The interfaces of the job's durable path, built together on one backend so that
// UpdateLog::admit and JobQueue::finish can write jobs and outbox entries in one transaction.
#include <memory>

#include "store/job_admin.h"
#include "store/job_queue.h"
#include "store/outbox.h"
#include "store/update_log.h"

namespace tgscribe::store {

struct JobStores {
  std::unique_ptr<UpdateLog> updates;
  std::unique_ptr<JobQueue> queue;
  std::unique_ptr<Outbox> outbox;
  // For `tgscribe jobs`: the operator's view of the same store.
  std::unique_ptr<JobAdmin> admin;
};

// The four stores of one backend, each built from the same arguments (the state, tables or
// connection they share).
template <class Updates, class Queue, class OutboxImpl, class Admin, class... Args>
JobStores make_job_stores(Args&... shared) {
  JobStores stores;
  stores.updates = std::make_unique<Updates>(shared...);
  stores.queue = std::make_unique<Queue>(shared...);
  stores.outbox = std::make_unique<OutboxImpl>(shared...);
  stores.admin = std::make_unique<Admin>(shared...);
  return stores;
}

}  // namespace tgscribe::store
