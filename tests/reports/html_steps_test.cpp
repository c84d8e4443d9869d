// A multi-request operation's steps reach the HTML timeline's data (times on
// its axis) and the JSON result's history.
#include <gtest/gtest.h>

#include "reports/reports.h"
#include "tests/reports/report_fixtures.h"

namespace racecheck {
namespace {

ReportInput with_steps() {
  ReportInput in = test::passing_input();
  Event& done = in.history[static_cast<std::size_t>(in.ops[0].complete_event)];
  done.steps = json::array({{{"step", 0}, {"round", 1}, {"method", "GET"}, {"path", "/kv/k1"}, {"status", 200},
                             {"sent_ns", 100'000}, {"done_ns", 400'000}},
                            {{"step", 2}, {"round", 2}, {"method", "PUT"}, {"path", "/kv/k1"}, {"status", 0},
                             {"sent_ns", 500'000}, {"done_ns", 1'100'000}, {"error", "lost-response"}}});
  return in;
}

TEST(HtmlSteps, TimelineCarriesEachStepOnItsAxis) {
  const std::string html = render_html(with_steps());
  // The first op starts the axis at 0 ns: the step times stay as recorded.
  EXPECT_NE(html.find(R"("steps":[{"done_ns":400000.0,"method":"GET","path":"/kv/k1","round":1,"sent_ns":100000.0,"status":200,"step":0})"),
            std::string::npos)
      << html.substr(html.find("\"steps\""), 300);
  EXPECT_NE(html.find(R"("error":"lost-response","method":"PUT")"), std::string::npos);
  EXPECT_NE(html.find(R"("steps":null)"), std::string::npos) << "one-request ops have no steps";
}

TEST(HtmlSteps, JsonResultHistoryHasTheSteps) {
  const json result = render_json(with_steps());
  bool found = false;
  for (const json& e : result.at("history")) {
    if (e.contains("steps")) {
      found = true;
      EXPECT_EQ(e["steps"].size(), 2u);
      EXPECT_EQ(e["steps"][1]["round"], 2);
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace racecheck
