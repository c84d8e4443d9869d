// The HTML report lists the hostile inputs a service accepted: the request,
// the response and the effect.
#include <gtest/gtest.h>

#include "reports/reports.h"
#include "tests/reports/report_fixtures.h"

namespace racecheck {
namespace {

TEST(HtmlHostile, AcceptedHostileInputsAreListedWithRequestResponseAndEffect) {
  ReportInput in = test::passing_input();
  EXPECT_EQ(render_html(in).find("Hostile inputs accepted"), std::string::npos) << "no section without one";
  Operation& op = in.ops[0];
  op.input = {{"account", 0}, {"amount", -50}};
  op.invalid = {{"amount", "is negative"}};
  op.status = 200;
  op.body = R"({"balance":150})";
  InvariantVerdict v;
  v.invariant = "input-validation";
  v.status = Status::Fail;
  Violation x;
  x.invariant = "input-validation";
  x.kind = "invalid-input-accepted";
  x.explanation = "withdraw with amount -50 (is negative) was accepted (200): balance rose by 50";
  x.ops = {0};
  v.violations.push_back(x);
  in.verdicts.verdicts.push_back(v);
  const std::string html = render_html(in);
  const std::size_t at = html.find("<section id=\"hostile-inputs\"><h2>Hostile inputs accepted</h2>");
  ASSERT_NE(at, std::string::npos);
  const std::string section = html.substr(at, html.find("</section>", at) - at);
  EXPECT_NE(section.find(op.f + " {&quot;account&quot;:0,&quot;amount&quot;:-50}"), std::string::npos) << section;
  EXPECT_NE(section.find("200 {&quot;balance&quot;:150}"), std::string::npos) << section;
  EXPECT_NE(section.find("balance rose by 50"), std::string::npos) << section;
}

}  // namespace
}  // namespace racecheck
