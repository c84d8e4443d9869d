#include <gtest/gtest.h>

#include "reports/redact.h"
#include "reports/reports.h"
#include "tests/reports/report_fixtures.h"

namespace racecheck {
namespace {

const std::vector<std::string> kHeaders = {"Authorization", "Cookie", "Set-Cookie", "Proxy-Authorization"};

TEST(Redactor, ReplacesLiteralSecretsEverywhereInText) {
  const Redactor r({"hunter2", "hunter"}, {});
  EXPECT_EQ(r.text("pw=hunter2;x=hunter;hunter2"), "pw=[REDACTED];x=[REDACTED];[REDACTED]");
}

TEST(Redactor, ReplacesHeaderValuesInFreeText) {
  const Redactor r({}, kHeaders);
  EXPECT_EQ(r.text("curl -H 'Authorization: Bearer abc' -H 'X-A: 1'"), "curl -H 'Authorization: [REDACTED]' -H 'X-A: 1'");
  EXPECT_EQ(r.text("cookie=sid=1; other=2\nnext"), "cookie=[REDACTED]\nnext");
  EXPECT_EQ(r.text(R"({"Set-Cookie":"sid=9","ok":1})"), R"({"Set-Cookie":"[REDACTED]","ok":1})");
  EXPECT_EQ(r.text(R"({\"authorization\":\"Basic zz\"})"), R"({\"authorization\":\"[REDACTED]\"})");
  EXPECT_EQ(r.text("no headers here"), "no headers here");
}

TEST(Redactor, RedactsJsonMembersNamedLikeHeadersAndSecretValues) {
  const Redactor r({"tok123"}, kHeaders);
  const json in = {{"Authorization", {{"nested", 1}}}, {"args", {{"token", "tok123"}, {"n", 5}}}, {"list", {"a", "xtok123x"}}};
  const json out = r.value(in);
  EXPECT_EQ(out["Authorization"], "[REDACTED]");
  EXPECT_EQ(out["args"]["token"], "[REDACTED]");
  EXPECT_EQ(out["args"]["n"], 5);
  EXPECT_EQ(out["list"][1], "x[REDACTED]x");
}

TEST(Redactor, InputCopyDropsSecretsAndRedactsRequestHeaders) {
  const ReportInput in = test::failing_input();
  const ReportInput out = redactor_for(in).input(in);
  EXPECT_TRUE(out.secrets.empty());
  EXPECT_EQ(out.repro_requests[0].headers[1].second, "[REDACTED]");
  EXPECT_EQ(out.repro_requests[1].headers[1].second, "[REDACTED]");
  EXPECT_EQ(out.repro_requests[0].headers[2].second, "c0-op0");
  EXPECT_EQ(out.command.find(test::kSecret), std::string::npos);
  EXPECT_EQ(out.command.find("abc.def.ghi"), std::string::npos);
}

// The acceptance check: no secret reaches any report file.
TEST(Redaction, NoSecretInAnyFormat) {
  ReportInput in = test::failing_input();
  in.title = std::string("run with ") + test::kSecret;
  in.verdicts.verdicts[1].violations[0].explanation += std::string(" token ") + test::kSecret;
  const std::vector<std::pair<std::string, std::string>> outputs = {
      {"html", render_html(in)},
      {"junit", render_junit(in)},
      {"json", render_json(in).dump()},
      {"console", render_console_summary(in, true)},
      {"curl", render_curl_script(in)},
  };
  for (const auto& [format, text] : outputs) {
    SCOPED_TRACE(format);
    EXPECT_EQ(text.find(test::kSecret), std::string::npos);
    EXPECT_EQ(text.find("abc.def.ghi"), std::string::npos);  // the Authorization header's value
    EXPECT_EQ(text.find("session=abc123"), std::string::npos);  // the Cookie header's value
  }
  EXPECT_NE(outputs[0].second.find("[REDACTED]"), std::string::npos);
}

}  // namespace
}  // namespace racecheck
