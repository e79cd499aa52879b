// The measurements benches and tests share (tgscribe_measure).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

#include "support/child_usage.h"
#include "support/word_error_rate.h"

namespace tgscribe::testing {
namespace {

TEST(WordErrorRate, CountsSubstitutionsInsertionsAndDeletions) {
  EXPECT_EQ(word_edits({"a", "b", "c"}, {"a", "b", "c"}), 0u);
  EXPECT_EQ(word_edits({"a", "b", "c"}, {"a", "x", "c"}), 1u);       // substitution
  EXPECT_EQ(word_edits({"a", "b", "c"}, {"a", "b", "c", "d"}), 1u);  // insertion
  EXPECT_EQ(word_edits({"a", "b", "c"}, {"a", "c"}), 1u);            // deletion
  EXPECT_EQ(word_edits({"a", "b"}, {}), 2u);
  EXPECT_EQ(word_edits({}, {"a"}), 1u);
}

TEST(WordErrorRate, IgnoresCaseAndPunctuation) {
  EXPECT_EQ(wer_words("Hello, world! It's OK."),
            (std::vector<std::string>{"hello", "world", "it's", "ok"}));
  EXPECT_DOUBLE_EQ(word_error_rate("Hello, world.", "hello world"), 0.0);
  EXPECT_DOUBLE_EQ(word_error_rate("one two three four", "one too three four"), 0.25);
  EXPECT_DOUBLE_EQ(word_error_rate("", ""), 0.0);
  EXPECT_DOUBLE_EQ(word_error_rate("", "noise"), 1.0);
}

TEST(ChildUsage, ReportsExitStatusAndCpuOfTheChildAlone) {
  auto started = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    // Burn a little CPU so the child's own usage is above zero.
    volatile unsigned long x = 0;
    for (unsigned long i = 0; i < 50'000'000UL; ++i) x = x + i;
    _exit(0);
  }
  ASSERT_GT(pid, 0);
  ChildUsage u = wait_child(pid, started);
  EXPECT_TRUE(u.ok);
  EXPECT_GT(u.cpu_s, 0.0);
  EXPECT_GT(u.peak_rss_mb, 0.0);
  EXPECT_GE(u.wall_s, 0.0);

  pid = fork();
  if (pid == 0) _exit(3);
  ASSERT_GT(pid, 0);
  EXPECT_FALSE(wait_child(pid, std::chrono::steady_clock::now()).ok);
}

}  // namespace
}  // namespace tgscribe::testing
