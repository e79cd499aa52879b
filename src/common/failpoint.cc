#include "common/failpoint.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <regex>

#include "common/error.h"

namespace tgscribe {
namespace {

struct Point {
  bool exit = false;  // else: throw
  int fire_at = 1;
  int times = 1;  // 0: for ever
  int hits = 0;
};

std::atomic<bool> g_enabled{false};
std::mutex g_mutex;
std::map<std::string, Point, std::less<>> g_points;  // guarded by g_mutex

}  // namespace

std::string set_failpoints(const std::string& spec) {
  std::map<std::string, Point, std::less<>> points;
  size_t pos = 0;
  while (pos < spec.size()) {
    size_t end = spec.find(',', pos);
    if (end == std::string::npos) end = spec.size();
    std::string item = spec.substr(pos, end - pos);
    pos = end + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) return "failpoint '" + item + "': expected name=action";
    Point p;
    static const std::regex action_re(R"(^(exit|error)(?:@([0-9]{1,9}))?(?:x([0-9]{1,9}))?$)");
    std::smatch mt;
    std::string action = item.substr(eq + 1);
    if (!std::regex_match(action, mt, action_re)) {
      return "failpoint '" + item + "': expected exit|error[@N][xM]";
    }
    p.exit = mt[1] == "exit";
    if (mt[2].matched) p.fire_at = std::stoi(mt[2]);
    if (mt[3].matched) p.times = std::stoi(mt[3]);
    if (p.fire_at < 1) return "failpoint '" + item + "': N must be >= 1";
    points[item.substr(0, eq)] = p;
  }
  std::lock_guard lock(g_mutex);
  g_points = std::move(points);
  g_enabled = !g_points.empty();
  return "";
}

std::string failpoints_from_env() {
  const char* spec = std::getenv("TGSCRIBE_FAILPOINTS");
  return spec ? set_failpoints(spec) : set_failpoints("");
}

void failpoint(std::string_view name) {
  if (!g_enabled.load(std::memory_order_relaxed)) return;
  bool exit = false;
  {
    std::lock_guard lock(g_mutex);
    auto it = g_points.find(name);
    if (it == g_points.end()) return;
    Point& p = it->second;
    int hit = ++p.hits;
    if (hit < p.fire_at || (p.times > 0 && hit >= p.fire_at + p.times)) return;
    exit = it->second.exit;
  }
  if (exit) {
    // write(2), not the logger: a dying process must not take a lock or allocate.
    std::string line = "failpoint " + std::string(name) + ": exiting\n";
    [[maybe_unused]] auto n = ::write(2, line.data(), line.size());
    ::_exit(kFailpointExitCode);
  }
  throw Error(ErrorKind::kInternal, "failpoint " + std::string(name));
}

}  // namespace tgscribe
