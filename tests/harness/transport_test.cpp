// HTTP/2 and TLS settings: the spec's "request"/"http_version" and "tls", the
// reasons of TLS and HTTP/2 failures, and what a report says about them.
#include <gtest/gtest.h>

#include <curl/curl.h>

#include "harness/http_request.h"
#include "harness/spec.h"
#include "harness/transport_report.h"

namespace racecheck {
namespace {

json bank_spec() {
  return json::parse(R"({
    "base_urls": ["https://bank.test:8443"],
    "accounts": {"setup": [{"method": "POST", "path": "/accounts", "capture": {"id": "/id"}}], "id": "{id}"},
    "operations": {
      "withdraw": {"method": "POST", "path": "/accounts/{account}/withdraw", "body": {"amount": "{amount}"},
                   "classify": [{"status": 200, "outcome": "ok"}]},
      "read": {"method": "GET", "path": "/accounts/{account}", "classify": [{"status": 200, "outcome": "ok"}],
               "extract": {"balance": "/balance"}}
    }
  })");
}

std::string spec_error(const json& j) {
  try {
    parse_spec(j, "bank.json");
  } catch (const SpecError& e) {
    return e.pointer + ": " + e.reason;
  }
  return "";
}

TEST(TransportSpec, DefaultsToHttp11WithVerification) {
  const Spec spec = parse_spec(bank_spec(), "bank.json");
  EXPECT_FALSE(spec.transport.http2);
  EXPECT_FALSE(spec.transport.tls.insecure);
  EXPECT_TRUE(spec.transport.tls.cacert.empty());
}

TEST(TransportSpec, ReadsHttpVersionAndTls) {
  json j = bank_spec();
  j["request"] = {{"timeout_ms", 1000}, {"http_version", "2"}};
  j["tls"] = {{"cacert", "ca.pem"}, {"insecure", true}, {"cert", "client.pem"}, {"key", "client.key"}};
  const Spec spec = parse_spec(j, "bank.json");
  EXPECT_TRUE(spec.transport.http2);
  EXPECT_EQ(spec.request_timeout_ms, 1000);
  EXPECT_EQ(spec.transport.tls.cacert, "ca.pem");
  EXPECT_TRUE(spec.transport.tls.insecure);
  EXPECT_EQ(spec.transport.tls.cert, "client.pem");
  EXPECT_EQ(spec.transport.tls.key, "client.key");
}

TEST(TransportSpec, BadValuesNameTheirPointer) {
  json j = bank_spec();
  j["request"] = {{"http_version", "3"}};
  EXPECT_EQ(spec_error(j), "/request/http_version: expected \"1.1\" or \"2\", got \"3\"");
  j = bank_spec();
  j["tls"] = {{"ca", "x.pem"}};
  EXPECT_NE(spec_error(j).find("/tls/ca: unknown key"), std::string::npos) << spec_error(j);
  j = bank_spec();
  j["tls"] = {{"insecure", "yes"}};
  EXPECT_EQ(spec_error(j).rfind("/tls/insecure: ", 0), 0u) << spec_error(j);
  j = bank_spec();
  j["tls"] = {{"key", "client.key"}};
  EXPECT_EQ(spec_error(j), "/tls/key: a key without a certificate (add /tls/cert)");
}

TEST(TransportFailures, UnknownCaAndBadHostNameAreSaidInWords) {
  CurlExchange exchange;
  std::snprintf(exchange.error_buffer, sizeof exchange.error_buffer, "%s",
                "SSL certificate problem: unable to get local issuer certificate");
  const TransportFailure ca = transport_failure(nullptr, CURLE_PEER_FAILED_VERIFICATION, exchange,
                                                "https://bank.test:8443/accounts", 1000);
  EXPECT_NE(ca.description.find("https://bank.test:8443/accounts is not signed by a trusted CA (unknown CA"),
            std::string::npos)
      << ca.description;
  std::snprintf(exchange.error_buffer, sizeof exchange.error_buffer, "%s",
                "SSL: no alternative certificate subject name matches target host name 'bank.test'");
  const TransportFailure name = transport_failure(nullptr, CURLE_PEER_FAILED_VERIFICATION, exchange,
                                                  "https://bank.test:8443/accounts", 1000);
  EXPECT_NE(name.description.find("does not name its host (bad host name)"), std::string::npos) << name.description;
}

TEST(TransportReport, InsecureIsAWarningOfEveryReport) {
  json j = bank_spec();
  j["tls"] = {{"insecure", true}};
  const Spec spec = parse_spec(j, "bank.json");
  ReportInput in;
  describe_transport(in, spec);
  EXPECT_EQ(in.tls_verification, "off");
  EXPECT_EQ(in.protocol_requested, "http/1.1");
  ASSERT_EQ(in.transport_warnings.size(), 1u);
  EXPECT_NE(in.transport_warnings[0].find("TLS verification OFF"), std::string::npos);
  const std::string console = render_console_summary(in, false);
  EXPECT_NE(console.find("TLS verification OFF"), std::string::npos) << console;
  EXPECT_NE(render_html(in).find("TLS verification OFF"), std::string::npos);
  EXPECT_EQ(render_json(in)["tls_verification"], "off");
}

TEST(TransportReport, PlainHttpHasNoTlsVerdict) {
  json j = bank_spec();
  j["base_urls"] = {"http://127.0.0.1:8080"};
  ReportInput in;
  describe_transport(in, parse_spec(j, "bank.json"));
  EXPECT_EQ(in.tls_verification, "");
  EXPECT_TRUE(in.transport_warnings.empty());
}

TEST(TransportReport, AnHttp2RunThatGotHttp11SaysSo) {
  json j = bank_spec();
  j["request"] = {{"http_version", "2"}};
  const Spec spec = parse_spec(j, "bank.json");
  ReportInput in;
  note_negotiated_protocol(in, spec, "http/1.1");
  EXPECT_EQ(in.protocol, "http/1.1");
  ASSERT_EQ(in.transport_warnings.size(), 1u);
  EXPECT_NE(in.transport_warnings[0].find("asked for HTTP/2"), std::string::npos);
  EXPECT_EQ(render_json(in)["transport_warnings"].size(), 1u);

  ReportInput negotiated;
  note_negotiated_protocol(negotiated, spec, "h2");
  EXPECT_TRUE(negotiated.transport_warnings.empty());
  EXPECT_EQ(render_json(negotiated)["protocol"], "h2");
}

TEST(TransportReport, JsonResultReadsItsTransportFieldsBack) {
  ReportInput in;
  in.protocol = "h2";
  in.protocol_requested = "h2";
  in.tls_verification = "on";
  in.transport_warnings = {"x"};
  const ReportInput back = parse_result_json(render_json(in));
  EXPECT_EQ(back.protocol, "h2");
  EXPECT_EQ(back.protocol_requested, "h2");
  EXPECT_EQ(back.release_method, "last-byte");
  EXPECT_EQ(back.tls_verification, "on");
  EXPECT_EQ(back.transport_warnings, std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace racecheck

namespace racecheck {
namespace {

TEST(TransportProtocol, AFallbackToHttp11AnywhereIsTheRunsProtocol) {
  std::string run;
  fold_protocol(run, "");
  EXPECT_EQ(run, "");
  fold_protocol(run, "h2");
  EXPECT_EQ(run, "h2");
  fold_protocol(run, "http/1.1");
  EXPECT_EQ(run, "http/1.1");
  fold_protocol(run, "h2");
  EXPECT_EQ(run, "http/1.1");
}

}  // namespace
}  // namespace racecheck
