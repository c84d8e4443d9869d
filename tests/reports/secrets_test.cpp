// No report file carries a secret in any encoding: secrets placed in request
// paths (percent-encoded), bodies (JSON-escaped), echoed responses (escaped
// differently), headers and URL userinfo; the curl script reads them from the
// environment and still sends the same requests.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "reports/redact.h"
#include "reports/reports.h"
#include "reports/text_util.h"
#include "tests/reports/report_fixtures.h"
#include "tests/reports/test_process.h"

namespace racecheck {
namespace {

std::string percent(std::string_view s, bool upper_hex, bool keep_unreserved) {
  std::string out;
  for (unsigned char c : s) {
    const bool unreserved =
        std::isalnum(c) || std::string_view("-._~").find(static_cast<char>(c)) != std::string_view::npos;
    if (keep_unreserved && unreserved) {
      out += static_cast<char>(c);
      continue;
    }
    char escaped[4];
    std::snprintf(escaped, sizeof escaped, upper_hex ? "%%%02X" : "%%%02x", c);
    out += escaped;
  }
  return out;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The JSON string escape of s without the quotes (what a body carries).
std::string json_escaped(const std::string& s) {
  const std::string quoted = json(s).dump();
  return quoted.substr(1, quoted.size() - 2);
}

// Every character as \uXXXX (surrogate pairs beyond the BMP), hex in the given case.
std::string json_unicode(const std::string& s, bool upper_hex) {
  const std::u16string units = [&] {
    std::u16string out;
    for (std::size_t i = 0; i < s.size();) {
      const auto b = static_cast<unsigned char>(s[i]);
      std::uint32_t cp = b;
      std::size_t n = 1;
      if (b >= 0xF0) { cp = b & 0x07; n = 4; }
      else if (b >= 0xE0) { cp = b & 0x0F; n = 3; }
      else if (b >= 0xC0) { cp = b & 0x1F; n = 2; }
      for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      i += n;
      if (cp >= 0x10000) {
        out += static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10));
        out += static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF));
      } else {
        out += static_cast<char16_t>(cp);
      }
    }
    return out;
  }();
  const char* digits = upper_hex ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (char16_t u : units) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += digits[(u >> shift) & 0xF];
  }
  return out;
}

std::string html_escaped(const std::string& s) {
  static const std::map<char, std::string> kEntity = {
      {'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}};
  std::string out;
  for (char c : s) {
    const auto entity = kEntity.find(c);
    out += entity == kEntity.end() ? std::string(1, c) : entity->second;
  }
  return out;
}

std::string base64(std::string_view s, bool url, bool pad) {
  const char* a = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                      : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t bits = 0;
  int n = 0;
  for (unsigned char c : s) {
    bits = (bits << 8) | c;
    n += 8;
    while (n >= 6) out += a[(bits >> (n -= 6)) & 0x3F];
  }
  if (n > 0) out += a[(bits << (6 - n)) & 0x3F];
  while (pad && out.size() % 4 != 0) out += '=';
  return out;
}

// The encodings a secret must never appear in (too short ones are skipped: they
// occur in any text by chance).
std::vector<std::pair<std::string, std::string>> encodings_of(const std::string& s) {
  std::vector<std::pair<std::string, std::string>> all = {
      {"raw", s},
      {"percent", percent(s, true, true)},
      {"percent lower", percent(s, false, true)},
      {"percent every byte", percent(s, true, false)},
      {"json", json_escaped(s)},
      {"json unicode", json_unicode(s, false)},
      {"json unicode upper", json_unicode(s, true)},
      {"html", html_escaped(s)},
      {"html of json", html_escaped(json_escaped(s))},
      {"base64", base64(s, false, true)},
      {"base64 url", base64(s, true, false)},
  };
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& e : all)
    if (e.second.size() >= 6) out.push_back(std::move(e));
  return out;
}

// Which encoding of `secret` occurs in `text` (empty: none). [REDACTED] is cut out
// first, so that text next to it cannot combine with it.
std::string leaked_encoding(std::string text, const std::string& secret) {
  for (std::size_t at = text.find(kRedacted); at != std::string::npos; at = text.find(kRedacted, at))
    text.replace(at, kRedacted.size(), "\x01");
  for (const auto& [name, form] : encodings_of(secret))
    if (text.find(form) != std::string::npos) return name;
  return "";
}

struct Rendered {
  std::string format, text;
};

std::vector<Rendered> render_all(const ReportInput& in) {
  return {{"html", render_html(in)},
          {"json", report_text::dump_json(render_json(in))},
          {"json indented", report_text::dump_json(render_json(in), 2)},
          {"junit", render_junit(in)},
          {"console", render_console_summary(in, false)},
          {"curl", render_curl_script(in)}};
}

// A secret with a space, '/', a quote, a backslash and a non-ASCII character:
// every escaping scheme changes it.
const std::string kAwkward = "Tk n/\"q\\\xC3\xA9-9f2";

ReportInput input_with_encoded_secret() {
  ReportInput in = test::failing_input();
  in.secrets = {kAwkward};
  in.secret_names = {"api_token"};
  // The path placeholder was percent-encoded, the body placeholder JSON-escaped.
  in.repro_requests[0].url = "http://127.0.0.1:18081/accounts/" + percent(kAwkward, true, true) + "/withdraw";
  in.repro_requests[1].body = R"({"amount":50,"token":")" + json_escaped(kAwkward) + "\"}";
  in.repro_requests[1].headers.push_back({"X-Api-Key", kAwkward});
  // The service echoed it back escaped its own way: "\/" and \u escapes.
  in.ops[3].body = R"({"echo":")" + json_unicode(kAwkward, false) + "\",\"path\":\"" +
                   percent(kAwkward, false, true) + "\",\"s\":\"" + json_escaped(kAwkward) + "\"}";
  std::string with_slash = json_escaped(kAwkward);
  with_slash.replace(with_slash.find('/'), 1, "\\/");
  in.history[in.ops[3].complete_event].body = R"({"echo":")" + with_slash + "\"}";
  in.verdicts.verdicts[1].summary += " (key " + base64(kAwkward, false, true) + ")";
  return in;
}

TEST(SecretEncodings, NoFormatCarriesAnyEncodingOfASecret) {
  const ReportInput in = input_with_encoded_secret();
  for (const auto& [format, text] : render_all(in)) {
    SCOPED_TRACE(format);
    EXPECT_EQ(leaked_encoding(text, kAwkward), "");
  }
}

TEST(SecretEncodings, EchoedEscapedSecretIsRedactedInHtmlAndJson) {
  ReportInput in = test::failing_input();
  const std::string secret = "a/b\"c-secret";
  in.secrets = {secret};
  in.ops[3].body = R"({"echo":"a\/b\"c-secret","u":"\u0061\u002F\u0062\u0022\u0063-secret"})";
  const std::string html = render_html(in), json_text = render_json(in).dump();
  for (const std::string& text : {html, json_text}) {
    EXPECT_TRUE(test::contains_none(text, {"c-secret", "\\u0063-secret"}));
  }
}

TEST(UrlUserinfo, TargetPasswordNeverReachesAnOutput) {
  ReportInput in = test::failing_input();
  const std::string password = "Pa55word-x9";
  in.target = "http://admin:" + password + "@127.0.0.1:18081";
  in.command = "racecheck run spec.json --target " + in.target + " --seed 42";
  for (auto& r : in.repro_requests) r.url.replace(0, std::string("http://").size(), "http://admin:" + password + "@");
  in.verdicts.verdicts[1].violations[0].explanation += " (connected to " + in.target + ")";
  for (const auto& [format, text] : render_all(in)) {
    SCOPED_TRACE(format);
    EXPECT_EQ(leaked_encoding(text, password), "");
    if (format != "curl" && format != "json indented") {
      EXPECT_NE(text.find("admin:[REDACTED]@127.0.0.1"), std::string::npos) << text.substr(0, 600);
    }
  }
  const std::string script = render_curl_script(in);
  EXPECT_NE(script.find("'http://admin:'\"${RACECHECK_SECRET_URL_CREDENTIAL_1}\"'@127.0.0.1:18081/accounts/1/withdraw'"),
            std::string::npos)
      << script;
  EXPECT_NE(script.find("#   RACECHECK_SECRET_URL_CREDENTIAL_1  (a URL's password or token user)"), std::string::npos) << script;
}

TEST(CurlScript, ReadsSecretsFromEnvironmentVariablesListedAtTheTop) {
  const ReportInput in = input_with_encoded_secret();
  const std::string script = render_curl_script(in);
  EXPECT_EQ(script.find("[REDACTED]"), std::string::npos) << script;
  EXPECT_EQ(leaked_encoding(script, kAwkward), "");
  const std::string header = script.substr(0, script.find("set -u"));
  EXPECT_NE(header.find("#   RACECHECK_SECRET_API_TOKEN  (secret api_token)"), std::string::npos) << header;
  EXPECT_NE(header.find("#   RACECHECK_HEADER_AUTHORIZATION"), std::string::npos) << header;
  EXPECT_NE(script.find("\"$(racecheck_percent \"${RACECHECK_SECRET_API_TOKEN}\")\""), std::string::npos) << script;
  EXPECT_NE(script.find("\"$(racecheck_json \"${RACECHECK_SECRET_API_TOKEN}\")\""), std::string::npos) << script;
  EXPECT_NE(script.find("-H 'X-Api-Key: '\"${RACECHECK_SECRET_API_TOKEN}\""), std::string::npos) << script;
}

// The script is valid sh and, with the variables set, sends exactly the
// recorded requests: a stand-in curl on PATH prints the arguments it gets.
TEST(CurlScript, WithTheVariablesSetItSendsTheRecordedRequests) {
  const ReportInput in = input_with_encoded_secret();
  test::TempDir dir;
  test::write_file(dir.path / "replay.sh", render_curl_script(in));
  test::write_file(dir.path / "curl", "#!/bin/sh\nfor a in \"$@\"; do printf '<%s>\\n' \"$a\"; done\n");
  std::filesystem::permissions(dir.path / "curl", std::filesystem::perms::owner_all);
  const std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin";
  setenv("PATH", (dir.path.string() + ":" + old_path).c_str(), 1);
  setenv("RACECHECK_SECRET_API_TOKEN", kAwkward.c_str(), 1);
  setenv("RACECHECK_HEADER_AUTHORIZATION", test::kAuthValue, 1);
  setenv("RACECHECK_HEADER_COOKIE", "session=abc123", 1);
  const auto r = test::run_process({"/bin/sh", (dir.path / "replay.sh").string()}, dir.path, std::chrono::seconds(20));
  setenv("PATH", old_path.c_str(), 1);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const auto& req0 = in.repro_requests[0];
  const auto& req1 = in.repro_requests[1];
  // The path secret is re-encoded (every byte as %XX): the same path once decoded.
  const std::string url_line = "<http://127.0.0.1:18081/accounts/%";  // not client 1's ".../accounts/1/..."
  const std::size_t at = r.out.find(url_line);
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string sent_url = r.out.substr(at + 1, r.out.find(">\n", at) - at - 1);
  EXPECT_EQ(percent_decode(sent_url), percent_decode(req0.url));
  EXPECT_NE(r.out.find("<" + req1.body + ">"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<X-Api-Key: " + kAwkward + ">"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(std::string("<Authorization: ") + test::kAuthValue + ">"), std::string::npos) << r.out;
}

// Arbitrary secrets (printable ASCII and non-ASCII) in arbitrary text, in any
// encoding, in every place a report shows: no rendered file contains any
// encoding of the secret.
RC_GTEST_PROP(SecretEncodings, NoRenderedOutputContainsAnyEncoding, ()) {
  const auto code_point = rc::gen::oneOf(rc::gen::inRange<std::uint32_t>(0x20, 0x7F), rc::gen::inRange<std::uint32_t>(0xA0, 0x800),
                                         rc::gen::element<std::uint32_t>(0x20AC, 0x4E2D, 0x1F600, 0x10348));
  const auto points = *rc::gen::container<std::vector<std::uint32_t>>(*rc::gen::inRange(8, 24), code_point);
  // UTF-8: a lead byte carrying the top bits, then 6 bits per continuation byte.
  std::string secret;
  for (std::uint32_t cp : points) {
    const int continuations = cp < 0x80 ? 0 : cp < 0x800 ? 1 : cp < 0x10000 ? 2 : 3;
    static constexpr std::uint32_t kLead[] = {0x00, 0xC0, 0xE0, 0xF0};
    secret += static_cast<char>(kLead[continuations] | (cp >> (6 * continuations)));
    for (int k = continuations - 1; k >= 0; --k) secret += static_cast<char>(0x80 | ((cp >> (6 * k)) & 0x3F));
  }
  // Each character independently in one of its encodings.
  auto mixed = [&] {
    std::string out;
    std::size_t i = 0;
    for (std::uint32_t cp : points) {
      const std::size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      const std::string c = secret.substr(i, n);
      i += n;
      switch (*rc::gen::inRange(0, 4)) {
        case 0: out += c; break;
        case 1: out += percent(c, *rc::gen::arbitrary<bool>(), false); break;
        case 2: out += json_unicode(c, *rc::gen::arbitrary<bool>()); break;
        default: out += json_escaped(c); break;
      }
    }
    return out;
  };
  std::vector<std::string> encoded;
  for (const auto& [name, form] : encodings_of(secret)) encoded.push_back(form);
  encoded.push_back(mixed());
  auto embed = [&] {
    return *rc::gen::string<std::string>() + *rc::gen::elementOf(encoded) + *rc::gen::string<std::string>();
  };

  ReportInput in = test::failing_input();
  in.secrets = {secret};
  in.title = embed();
  in.verdicts.verdicts[1].violations[0].explanation = embed();
  in.ops[3].body = embed();
  in.history[in.ops[3].complete_event].body = embed();
  in.ops[1].output = {{"note", embed()}};
  in.repro_requests[0].url = "http://127.0.0.1:18081/a/" + embed();
  in.repro_requests[1].body = embed();
  in.repro_requests[1].headers.push_back({"X-Key", embed()});
  for (const auto& [format, text] : render_all(in)) {
    const std::string leak = leaked_encoding(text, secret);
    RC_ASSERT(leak.empty());
  }
}

// Reports can hold 100k events: redaction stays linear. Every 1000th response
// echoes the secret escaped; none survives.
TEST(SecretEncodings, LargeHistoryIsRedactedQuickly) {
  ReportInput in = test::failing_input();
  const std::string secret = "tok/en-8f3a2c";
  in.secrets = {secret};
  const Event model = in.history.back();
  in.history.clear();
  for (int i = 0; i < 100'000; ++i) {
    Event e = model;
    e.index = i;
    e.body = i % 1000 == 0 ? R"({"echo":"tok\/en-8f3a2c","balance":)" + std::to_string(i) + "}"
                           : R"({"balance":)" + std::to_string(i) + R"(,"note":"a/b%20c\u0041"})";
    in.history.push_back(std::move(e));
  }
  const auto start = std::chrono::steady_clock::now();
  const std::string text = render_json(in).dump();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordProperty("render_json_100k_events_s", std::to_string(seconds));
  std::printf("render_json of 100k events with redaction: %.2f s\n", seconds);
  EXPECT_EQ(leaked_encoding(text, secret), "");
  EXPECT_EQ(text.find("8f3a2c"), std::string::npos);
}

}  // namespace
}  // namespace racecheck
