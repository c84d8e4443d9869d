#include <gtest/gtest.h>

#include "reports/reports.h"
#include "tests/reports/report_fixtures.h"

namespace racecheck {
namespace {

TEST(JsonReport, IsVersionedAndComplete) {
  const json j = render_json(test::failing_input());
  EXPECT_EQ(j["format_version"], 1);
  EXPECT_EQ(j["overall"], "fail");
  EXPECT_EQ(j["seed"], 42u);
  EXPECT_EQ(j["verdicts"].size(), 4u);
  EXPECT_EQ(j["verdicts"][1]["violations"][0]["ops"], json({0, 1, 5}));
  EXPECT_EQ(j["reproduction"]["failures"], 7);
  EXPECT_NEAR(j["reproduction"]["wilson95"]["low"].get<double>(), 0.3968, 1e-3);
  EXPECT_EQ(j["stats"]["requests"], 212);
  EXPECT_GT(j["stats"]["latency_ms"]["p99"].get<double>(), j["stats"]["latency_ms"]["p50"].get<double>());
  EXPECT_EQ(j["history"].size(), 12u);
  EXPECT_EQ(j["repro_requests"][0]["headers"][1], json({"Authorization", "[REDACTED]"}));
}

TEST(JsonReport, RoundTripsWhatReplayNeeds) {
  const ReportInput in = test::failing_input();
  const json written = render_json(in);
  const ReportInput back = parse_result_json(json::parse(written.dump()));
  EXPECT_EQ(back.seed, in.seed);
  EXPECT_EQ(back.spec_path, in.spec_path);
  EXPECT_EQ(back.target, in.target);
  // The scenario comes back as written (secrets redacted, everything else intact).
  EXPECT_EQ(back.minimal_scenario, written["minimal_scenario"]);
  EXPECT_EQ(back.minimal_scenario["clients"][1]["ops"][0]["lose_response"], true);
  EXPECT_EQ(back.minimal_scenario["clients"][1]["ops"][0]["args"]["token"], "[REDACTED]");
  EXPECT_EQ(back.repro_runs, 10);
  EXPECT_EQ(back.repro_failures, 7);
  ASSERT_EQ(back.verdicts.verdicts.size(), in.verdicts.verdicts.size());
  EXPECT_EQ(back.verdicts.overall(), Status::Fail);
  const Violation& lin = back.verdicts.verdicts[2].violations[0];
  EXPECT_EQ(lin.linearized_prefix, std::vector<int>{0});
  EXPECT_EQ(lin.prefix_states, (std::vector<std::string>{"balance 100", "balance 50"}));
  EXPECT_EQ(lin.unplaceable_op, 1);
  ASSERT_EQ(back.history.size(), in.history.size());
  EXPECT_EQ(back.history[3].key, in.history[3].key);
  EXPECT_EQ(back.stats.outcomes_by_op, in.stats.outcomes_by_op);
  // Rendering again gives the same document.
  EXPECT_EQ(render_json(back)["verdicts"], written["verdicts"]);
}

TEST(JsonReport, PassingRunRoundTrips) {
  const json written = render_json(test::passing_input());
  EXPECT_EQ(written["overall"], "pass");
  const ReportInput back = parse_result_json(written);
  EXPECT_EQ(back.verdicts.verdicts[2].status, Status::Skipped);
}

// The JSON pointer parse_result_json names when it rejects `j`.
std::string rejected_at(const json& j) {
  try {
    parse_result_json(j);
  } catch (const ResultFormatError& e) {
    return e.pointer;
  }
  return "(accepted: expected ResultFormatError)";
}

TEST(JsonReport, BadResultNamesThePointer) {
  json j = render_json(test::failing_input());
  j["verdicts"][1]["status"] = "maybe";
  EXPECT_EQ(rejected_at(j), "/verdicts/1/status");
  j = render_json(test::failing_input());
  j.erase("seed");
  EXPECT_THROW(parse_result_json(j), ResultFormatError);
  j = render_json(test::failing_input());
  j["format_version"] = 2;
  EXPECT_EQ(rejected_at(j), "/format_version");
  j = render_json(test::failing_input());
  j["history"][0]["type"] = 12;
  EXPECT_THROW(parse_result_json(j), ResultFormatError);
  EXPECT_THROW(parse_result_json(json::array()), ResultFormatError);
}

TEST(JsonReport, InvalidUtf8IsReplacedNotThrown) {
  ReportInput in = test::failing_input();
  in.ops[0].body = "\xff\xfe";
  in.history[0].body = "\xc3";
  const json j = render_json(in);
  EXPECT_NO_THROW(j.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace
}  // namespace racecheck
