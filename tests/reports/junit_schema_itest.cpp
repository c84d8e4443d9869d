// The JUnit file validates against the committed schema (xmllint from libxml2-utils).
#include <gtest/gtest.h>

#include <filesystem>

#include "reports/reports.h"
#include "tests/reports/report_fixtures.h"
#include "tests/reports/test_process.h"

namespace racecheck {
namespace {

const char* kXmllint = "/usr/bin/xmllint";
const std::string kSchema = std::string(RACECHECK_SOURCE_DIR) + "/tests/reports/junit.xsd";

test::ProcessResult validate(const std::string& xml, const test::TempDir& dir) {
  const auto file = dir.path / "junit.xml";
  test::write_file(file, xml);
  return test::run_process({kXmllint, "--noout", "--nonet", "--schema", kSchema, file.string()}, dir.path,
                           std::chrono::seconds(20));
}

class JUnitSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kXmllint)) << kXmllint << " is missing: apt-get install -y libxml2-utils";
  }
  test::TempDir dir;
};

TEST_F(JUnitSchema, FailingRunValidates) {
  const auto r = validate(render_junit(test::failing_input()), dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("validates"), std::string::npos) << r.err;
}

TEST_F(JUnitSchema, PassingRunValidates) {
  const auto r = validate(render_junit(test::passing_input()), dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(JUnitSchema, SeveralTargetsWithEveryStatusAndHostileTextValidate) {
  ReportInput a = test::failing_input();
  a.verdicts.verdicts[0].status = Status::Unknown;
  a.verdicts.verdicts[0].summary = std::string("budget \x01 exhausted ]]> <x> & \xff");
  a.verdicts.verdicts[3].status = Status::Skipped;
  ReportInput b = test::passing_input();
  b.target = "http://127.0.0.1:18082/\"quoted\"";
  const auto r = validate(render_junit(std::vector<ReportInput>{a, b, ReportInput{}}), dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(JUnitSchema, SchemaRejectsABrokenFile) {
  // The schema is not vacuous: a testcase without a name is refused.
  const auto r = validate("<?xml version=\"1.0\"?><testsuites><testsuite name=\"x\" tests=\"1\" failures=\"0\" errors=\"0\">"
                          "<testcase classname=\"c\" time=\"0\"/></testsuite></testsuites>",
                          dir);
  EXPECT_NE(r.exit_code, 0);
}

}  // namespace
}  // namespace racecheck
