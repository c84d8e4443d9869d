// The release method's names (the CLI's --release, the JSON result's
// "release_method") and the result field that records it.
#include "harness/release_method.h"

#include <gtest/gtest.h>

#include "reports/reports.h"

namespace racecheck {
namespace {

TEST(ReleaseMethod, NamesRoundTripAndOthersAreRefused) {
  for (const ReleaseMethod m : {ReleaseMethod::LastByte, ReleaseMethod::SinglePacket}) {
    EXPECT_EQ(parse_release_method(release_method_name(m)), m);
  }
  EXPECT_STREQ(release_method_name(ReleaseMethod::SinglePacket), "single-packet");
  EXPECT_FALSE(parse_release_method("single_packet"));
  EXPECT_FALSE(parse_release_method(""));
}

TEST(ReleaseMethod, JsonResultRecordsAndReadsIt) {
  ReportInput in;
  in.release_method = release_method_name(ReleaseMethod::SinglePacket);
  const nlohmann::json written = render_json(in);
  EXPECT_EQ(written.at("release_method"), "single-packet");
  EXPECT_EQ(parse_result_json(written).release_method, "single-packet");
  nlohmann::json older = written;
  older.erase("release_method");  // a result written before the field existed
  EXPECT_EQ(parse_result_json(older).release_method, "last-byte");
}

}  // namespace
}  // namespace racecheck
