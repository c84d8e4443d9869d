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

// Each encoding a secret can take on the way out is redacted whole.
TEST(SecretMatcher, RedactsEveryEncodingOfASecret) {
  const std::string secret = "tok en/\"q\\x";  // a space, '/', '"' and '\'
  const Redactor r({secret}, {});
  const std::vector<std::pair<std::string, std::string>> forms = {
      {"raw", secret},
      {"percent upper", "tok%20en%2F%22q%5Cx"},
      {"percent lower", "tok%20en%2f%22q%5cx"},
      {"percent every byte", "%74%6F%6B%20%65%6E%2F%22%71%5C%78"},
      {"form plus", "tok+en%2F%22q%5Cx"},
      {"json", R"(tok en/\"q\\x)"},
      {"json slash", R"(tok en\/\"q\\x)"},
      {"json all unicode", R"(\u0074\u006F\u006b\u0020\u0065\u006e\u002F\u0022\u0071\u005c\u0078)"},
      {"json mixed", R"(t\u006Fk\u0020en\/\u0022q\\\u0078)"},
      {"html", "tok en/&quot;q\\x"},
      {"html numeric", "tok&#32;en&#x2F;&#34;q&#92;x"},
      {"html of json", R"(tok en\/\&quot;q\\x)"},
      {"base64", "dG9rIGVuLyJxXHg="},
      {"base64 unpadded", "dG9rIGVuLyJxXHg"},
      {"base64 url", "dG9rIGVuLyJxXHg="},
  };
  for (const auto& [name, form] : forms) {
    SCOPED_TRACE(name);
    EXPECT_EQ(r.text("<" + form + ">"), "<[REDACTED]>");
  }
}

TEST(SecretMatcher, NonAsciiSecretsInJsonAndPercentForms) {
  const std::string secret = "pä\xE2\x82\xAC\xF0\x9F\x98\x80z";  // ä, €, 😀 (beyond the BMP)
  const Redactor r({secret}, {});
  EXPECT_EQ(r.text("a " + secret + " b"), "a [REDACTED] b");
  EXPECT_EQ(r.text(R"(a p\u00e4\u20AC\ud83d\uDE00z b)"), "a [REDACTED] b");
  EXPECT_EQ(r.text("a p%C3%A4%E2%82%ac%F0%9F%98%80z b"), "a [REDACTED] b");
  EXPECT_EQ(r.text("a p&#228;&#x20AC;&#128512;z b"), "a [REDACTED] b");
}

TEST(SecretMatcher, Base64InsideALongerCredential) {
  const std::string secret = "correct-horse-battery";
  const Redactor r({secret}, {});
  // "Basic " + base64("alice:" + secret), and URL-safe base64 of "x" + secret.
  const std::string basic = "YWxpY2U6Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5";
  const std::string redacted = r.text("Basic " + basic);
  EXPECT_EQ(redacted.find("Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5"), std::string::npos) << redacted;
  EXPECT_NE(redacted.find("[REDACTED]"), std::string::npos);
  EXPECT_EQ(r.text("eGNvcnJlY3QtaG9yc2UtYmF0dGVyeQ").find("Y3QtaG9yc2UtYmF0dGVy"), std::string::npos);
}

TEST(SecretMatcher, ReportsTheFormOfAnOccurrence) {
  const SecretMatcher m(std::vector<NamedSecret>{{"TOKEN", "a b\"c"}});
  auto form_of = [&](const std::string& text) {
    const auto match = m.find(text, 0);
    EXPECT_TRUE(match.has_value()) << text;
    return match ? match->form : SecretForm::Other;
  };
  EXPECT_EQ(form_of("x a b\"c"), SecretForm::Raw);
  EXPECT_EQ(form_of("/a%20b%22c"), SecretForm::Percent);
  EXPECT_EQ(form_of(R"({"t":"a b\"c"})"), SecretForm::JsonEscaped);
  EXPECT_EQ(form_of("YSBiImM="), SecretForm::Base64);
  EXPECT_EQ(form_of("YSBiImM"), SecretForm::Base64Unpadded);
  EXPECT_EQ(form_of("a%20b\\\"c"), SecretForm::Other);
  EXPECT_FALSE(m.find("a bc", 0).has_value());
}

TEST(UrlUserinfo, PasswordsAndTokenUsersAreRedacted) {
  EXPECT_EQ(redact_url_userinfo("--target http://bob:pa%3Ass@host:8080/x?y=1"), "--target http://bob:[REDACTED]@host:8080/x?y=1");
  EXPECT_EQ(redact_url_userinfo("https://ghp_abcdef@github.com/r"), "https://[REDACTED]@github.com/r");
  EXPECT_EQ(redact_url_userinfo(R"({"u":"http:\/\/u:pw@h\/p"})"), R"({"u":"http:\/\/u:[REDACTED]@h\/p"})");
  EXPECT_EQ(redact_url_userinfo("http://host:8080/a@b and mail x@y"), "http://host:8080/a@b and mail x@y");
  EXPECT_EQ(url_userinfo_credentials("a http://bob:pa%3Ass@h b https://tok@h2"), (std::vector<std::string>{"pa:ss", "tok"}));
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
