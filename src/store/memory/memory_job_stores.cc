#include "store/memory/memory_job_stores.h"

#include "store/memory/memory_job_admin.h"
#include "store/memory/memory_job_queue.h"
#include "store/memory/memory_outbox.h"
#include "store/memory/memory_update_log.h"

namespace tgscribe::store {

JobStores make_memory_job_stores(Clock& clock, QueueOptions options) {
  auto state = std::make_shared<MemoryJobState>(clock, options);
  return make_job_stores<MemoryUpdateLog, MemoryJobQueue, MemoryOutbox, MemoryJobAdmin>(state);
}

}  // namespace tgscribe::store
