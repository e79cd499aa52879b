#include "engine/fallback_chain.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "common/error.h"
#include "common/metrics.h"
#include "common/redact.h"
#include "engine/pacer.h"

namespace tgscribe::engine {

FallbackChain::FallbackChain(std::vector<std::shared_ptr<Transcriber>> engines)
    : engines_(std::move(engines)) {
  if (engines_.empty()) throw Error(ErrorKind::kInternal, "no transcription engine configured");
}

transcript::Transcript FallbackChain::run(
    const std::function<transcript::Transcript(Transcriber&)>& attempt) const {
  std::string summary;
  ErrorKind last_kind = ErrorKind::kServer;
  // An engine whose rate budget is spent for a while: if no engine succeeds, the job comes
  // back when the soonest budget frees up (engine/pacer.h), it has not failed.
  std::optional<PacingDeferred> soonest;
  for (const auto& engine : engines_) {
    const std::string& name = engine->caps().name;
    try {
      transcript::Transcript t = attempt(*engine);
      metrics::Registry::global().counter_add("engine_jobs_total",
                                              {{"engine", name}, {"result", "ok"}});
      return t;
    } catch (const Error& e) {
      // Refused media is bad for every engine: no other engine is tried, nothing is counted.
      if (e.kind() == ErrorKind::kCancelled || e.kind() == ErrorKind::kMediaRejected) throw;
      if (auto* paced = dynamic_cast<const PacingDeferred*>(&e)) {
        if (!soonest || paced->wait() < soonest->wait()) soonest = *paced;
      }
      metrics::Registry::global().counter_add("engine_jobs_total",
                                              {{"engine", name}, {"result", to_string(e.kind())}});
      std::string reason = redact(e.what());
      // The engine's own messages already start with its name; do not say it twice.
      if (reason.rfind(name, 0) != 0) reason = name + ": " + reason;
      spdlog::warn("engine failed: {} ({})", reason, to_string(e.kind()));
      summary += (summary.empty() ? "" : "; ") + reason;
      // A bug inside one engine is still "the engines failed" for the user.
      last_kind = e.kind() == ErrorKind::kInternal ? ErrorKind::kServer : e.kind();
    }
  }
  if (soonest) throw *soonest;
  std::string prefix =
      engines_.size() == 1 ? "transcription failed: " : "transcription failed with every engine: ";
  throw Error(last_kind, prefix + summary);
}

}  // namespace tgscribe::engine
