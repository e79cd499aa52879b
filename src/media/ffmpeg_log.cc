#include "media/ffmpeg_log.h"

extern "C" {
#include <libavutil/log.h>
}

#include <spdlog/spdlog.h>

#include <cstdarg>
#include <mutex>
#include <string>

namespace tgscribe::media {
namespace {

void callback(void* avcl, int level, const char* fmt, va_list args) {
  if (level > AV_LOG_WARNING || !spdlog::should_log(spdlog::level::debug)) return;
  char line[1024];
  int print_prefix = 1;
  av_log_format_line2(avcl, level, fmt, args, line, sizeof line, &print_prefix);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (!text.empty()) spdlog::debug("ffmpeg: {}", text);
}

}  // namespace

void route_ffmpeg_logs() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_callback(callback); });
}

}  // namespace tgscribe::media
