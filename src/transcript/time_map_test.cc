#include "transcript/time_map.h"

#include <gtest/gtest.h>

namespace tgscribe::transcript {
namespace {

// Sent audio: [5, 15) then [35, 51) of the original, laid end to end (10 s + 16 s).
TimeMap islands() { return TimeMap({{5, 15}, {35, 51}}); }

TEST(TimeMap, ASegmentInTheSecondIslandMapsToItsOriginalTime) {
  Transcript t;
  Segment s;
  s.start = 12;  // 2 s into the second island
  s.end = 14.5;
  s.text = "second island";
  s.words = {{12, 13, "second"}, {13.2, 14.5, "island"}};
  t.segments.push_back(s);
  map_times(t, islands());
  EXPECT_DOUBLE_EQ(t.segments[0].start, 37);
  EXPECT_DOUBLE_EQ(t.segments[0].end, 39.5);
  EXPECT_DOUBLE_EQ(t.segments[0].words[0].start, 37);
  EXPECT_DOUBLE_EQ(t.segments[0].words[1].start, 38.2);
  EXPECT_DOUBLE_EQ(t.segments[0].words[1].end, 39.5);
}

TEST(TimeMap, SeamsAndEdges) {
  TimeMap m = islands();
  EXPECT_DOUBLE_EQ(m.sent_s(), 26);
  EXPECT_DOUBLE_EQ(m.to_original(0), 5);
  EXPECT_DOUBLE_EQ(m.to_original(3), 8);
  // On the seam: an end belongs to the first island, a start to the second.
  EXPECT_DOUBLE_EQ(m.to_original(10, true), 15);
  EXPECT_DOUBLE_EQ(m.to_original(10), 35);
  EXPECT_DOUBLE_EQ(m.to_original(27), 52);  // past the end: continues
  EXPECT_DOUBLE_EQ(TimeMap({}).to_original(7), 7);
}

TEST(TimeMap, ASegmentAcrossTheGapKeepsItsLargerSide) {
  Transcript t;
  t.segments.push_back({8, 13, "across"});  // 2 s before the seam, 3 s after
  t.segments.push_back({1, 4, "inside"});
  map_times(t, islands(), 5);  // relative to the chunk's start, as merge_chunks wants
  // Not stretched over the 20 s left out: the part after the seam, [35, 38), minus 5.
  EXPECT_DOUBLE_EQ(t.segments[0].start, 30);
  EXPECT_DOUBLE_EQ(t.segments[0].end, 33);
  EXPECT_DOUBLE_EQ(t.segments[1].start, 1);  // 6 - 5
  EXPECT_DOUBLE_EQ(t.segments[1].end, 4);
}

}  // namespace
}  // namespace tgscribe::transcript
