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

}  // namespace tgscribe::store
