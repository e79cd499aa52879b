#pragma once
// How `tgscribe jobs` shows jobs: the list table, `show`'s "key: value" lines and the JSON of
// --json. Pure functions of the jobs and "now", so the layout is unit-tested without a store.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "store/job.h"

namespace tgscribe::app {

// "42s", "5m", "3h", "4d": the largest whole unit (negative spans count as 0).
std::string format_age(int64_t ms);
// One line (newlines and tabs as spaces) of at most `max` code points, "…" ending a cut one.
std::string one_line(std::string_view text, size_t max);
// "voice 0:12", "audio 3:05 song.mp3" (from the payload the bot wrote); "?" when unreadable.
std::string media_summary(const store::Job& job);

// ID STATE USER CHAT MEDIA ATTEMPTS AGE LAST ERROR, columns as wide as their widest cell.
std::string jobs_table(const std::vector<store::Job>& jobs, int64_t now_ms);
// Every field, one "key: value" line each. `position` (1-based, queued jobs) 0 = none;
// `max_retries` to show the budget left.
std::string job_details(const store::Job& job, int position, int max_retries, int64_t now_ms);
nlohmann::json job_json(const store::Job& job, int position);

}  // namespace tgscribe::app
