// The one translation of a failed libcurl transfer (harness/http_request.h):
// the executor's info events and http_call (setup, final read) use the same
// reasons, the history's labels (docs/history.md).
#include <gtest/gtest.h>

#include <string>

#include "harness/executor.h"
#include "harness/history_writer.h"
#include "harness/http_client.h"
#include "harness/http_request.h"
#include "tests/harness/refusing_port.h"

namespace racecheck {
namespace {

TEST(TransportReason, EachCurlFailureHasOneLabel) {
  EXPECT_EQ(transport_reason(CURLE_OPERATION_TIMEDOUT), "timeout");
  EXPECT_EQ(transport_reason(CURLE_COULDNT_CONNECT), "connection-refused");
  EXPECT_EQ(transport_reason(CURLE_COULDNT_RESOLVE_HOST), "cannot-resolve-host");
  EXPECT_EQ(transport_reason(CURLE_SEND_ERROR), "connection-reset");
  EXPECT_EQ(transport_reason(CURLE_RECV_ERROR), "connection-reset");
  EXPECT_EQ(transport_reason(CURLE_GOT_NOTHING), "empty-reply");
  EXPECT_EQ(transport_reason(CURLE_PARTIAL_FILE), "partial-response");
  EXPECT_EQ(transport_reason(CURLE_WEIRD_SERVER_REPLY), "not-http");
  EXPECT_EQ(transport_reason(CURLE_UNSUPPORTED_PROTOCOL), "not-http");
  EXPECT_EQ(transport_reason(CURLE_SSL_CONNECT_ERROR), "tls-error");
  EXPECT_EQ(transport_reason(CURLE_PEER_FAILED_VERIFICATION), "tls-error");
  EXPECT_EQ(transport_reason(CURLE_SSL_CERTPROBLEM), "tls-error");
  EXPECT_EQ(transport_reason(CURLE_HTTP2), "http2-error");
  EXPECT_EQ(transport_reason(CURLE_HTTP2_STREAM), "http2-error");
  EXPECT_EQ(transport_reason(CURLE_SEND_FAIL_REWIND), "transport-error");
}

TEST(TransportReason, HttpCallGivesTheHistoryLabelAndADescription) {
  test::RefusingPort port;
  HttpRequest request;
  request.url = port.url();
  const HttpResponse response = http_call(request, 2000, 1024);
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.transport_error, "connection-refused");
  EXPECT_NE(response.transport_detail.find("connection refused to " + port.url()), std::string::npos)
      << response.transport_detail;
}

class OneUrlProtocol : public Protocol {
 public:
  explicit OneUrlProtocol(std::string url) : url_(std::move(url)) {}
  int instance_count() const override { return 1; }
  int pick_instance(int, int) override { return 0; }
  HttpRequest render(const ScenarioOp&, int) const override {
    HttpRequest r;
    r.method = "POST";
    r.url = url_;
    r.body = "{}";
    return r;
  }
  Classification classify(const ScenarioOp&, const HttpResponse&) const override { return {Outcome::Ok, "", {}}; }

 private:
  std::string url_;
};

TEST(TransportReason, ExecutorRecordsTheSameLabelAsHttpCall) {
  test::RefusingPort port;
  OneUrlProtocol protocol(port.url());
  Scenario scenario;
  ClientProgram client;
  client.ops.push_back(ScenarioOp{"post", json::object()});
  scenario.clients.push_back(client);
  MemorySink sink;
  Executor executor;
  const ExecutorResult result = executor.run(scenario, protocol, sink);
  ASSERT_EQ(result.info, 1);
  HttpRequest request = protocol.render(scenario.clients[0].ops[0], 0);
  EXPECT_EQ(sink.events().back().error, http_call(request, 2000, 1024).transport_error);
  EXPECT_EQ(sink.events().back().error, "connection-refused");
}

}  // namespace
}  // namespace racecheck
