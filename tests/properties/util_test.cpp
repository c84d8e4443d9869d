// util/: the helpers shared by every library (linked through racecheck_properties).
#include <gtest/gtest.h>

#include "util/bounded_json.h"
#include "util/splitmix64.h"
#include "util/text.h"

namespace racecheck {
namespace {

TEST(UtilText, LowerTrimJoin) {
  EXPECT_EQ(lower("Content-Type: ÄB"), "content-type: Äb");  // ASCII only; UTF-8 bytes untouched
  EXPECT_EQ(trim(" \t value \r\n"), "value");
  EXPECT_EQ(trim(" \t\r\n"), "");
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(join({}, ", "), "");
}

TEST(UtilText, Utf8SequenceLength) {
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\xC3\xA4", 0), 2u);
  EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98\x80", 0), 4u);
  EXPECT_EQ(utf8_sequence_length("\xC0\xAF", 0), 0u);          // overlong
  EXPECT_EQ(utf8_sequence_length("\xED\xA0\x80", 0), 0u);      // surrogate
  EXPECT_EQ(utf8_sequence_length("\xF4\x90\x80\x80", 0), 0u);  // above U+10FFFF
  EXPECT_EQ(utf8_sequence_length("\xE2\x82", 0), 0u);          // cut short
}

TEST(UtilHash, SplitMix64KnownValues) {
  // The reference implementation's first outputs from state 0 (Vigna's splitmix64.c).
  EXPECT_EQ(splitmix64(0), 0xE220A8397B1DCDAFull);
  static_assert(splitmix64(1) != splitmix64(2));
}

TEST(UtilJson, BoundedDepth) {
  bool too_deep = false;
  EXPECT_EQ(parse_bounded_json("[[1]]", &too_deep), nlohmann::json::parse("[[1]]"));
  EXPECT_FALSE(too_deep);
  EXPECT_TRUE(parse_bounded_json(std::string(kMaxJsonDepth + 2, '[') + std::string(kMaxJsonDepth + 2, ']'), &too_deep)
                  .is_discarded());
  EXPECT_TRUE(too_deep);
  EXPECT_TRUE(parse_bounded_json("{", &too_deep).is_discarded());
  EXPECT_FALSE(too_deep);
}

}  // namespace
}  // namespace racecheck
