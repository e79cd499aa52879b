#include "store/memory/memory_job_stores.h"

#include "store/memory/memory_job_admin.h"
#include "store/memory/memory_job_queue.h"
#include "store/memory/memory_outbox.h"
#include "store/memory/memory_update_log.h"

namespace tgscribe::store {

JobStores make_memory_job_stores(Clock& clock, QueueOptions options) {
  auto state = std::make_shared<MemoryJobState>(clock, options);
  JobStores stores;
  stores.updates = std::make_unique<MemoryUpdateLog>(state);
  stores.queue = std::make_unique<MemoryJobQueue>(state);
  stores.outbox = std::make_unique<MemoryOutbox>(state);
  stores.admin = std::make_unique<MemoryJobAdmin>(state);
  return stores;
}

}  // namespace tgscribe::store
