// The executor's single-packet release (ExecutorOptions::release_method) against
// the in-test h2c server: the burst's first requests as streams of one HTTP/2
// connection, later requests and retries through libcurl (HTTP/1.1 here).
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "harness/executor.h"
#include "harness/history_writer.h"
#include "tests/harness/h2c_test_server.h"

namespace racecheck {
namespace {

// op.f is the path; a POST with op.args as its JSON body, or a GET when
// args["get"] is set. 2xx is ok, 5xx info "server-error", anything else fail.
class PathProtocol : public Protocol {
 public:
  explicit PathProtocol(std::string base) : base_(std::move(base)) {}
  int instance_count() const override { return 1; }
  int pick_instance(int, int) override { return 0; }
  HttpRequest render(const ScenarioOp& op, int) const override {
    HttpRequest r;
    r.url = base_ + "/" + op.f;
    if (!op.args.contains("get")) {
      r.method = "POST";
      r.body = op.args.dump();
    }
    return r;
  }
  Classification classify(const ScenarioOp&, const HttpResponse& response) const override {
    Classification c;
    c.outcome = response.status / 100 == 2 ? Outcome::Ok : response.status >= 500 ? Outcome::Info : Outcome::Fail;
    if (response.status >= 500) c.error = "server-error";
    return c;
  }

 private:
  std::string base_;
};

Scenario clients_with(int clients, std::vector<ScenarioOp> ops) {
  Scenario s;
  for (int i = 0; i < clients; ++i) {
    ClientProgram p;
    p.ops = ops;
    for (auto& op : p.ops) op.args["client"] = i;
    s.clients.push_back(p);
  }
  return s;
}

// A POST to `path`, or a GET when `get`.
ScenarioOp op_at(std::string path, bool get = false) {
  ScenarioOp op;
  op.f = std::move(path);
  op.args = get ? json{{"get", true}} : json::object();
  return op;
}

ExecutorOptions single_packet_options(int request_timeout_ms = 1000) {
  ExecutorOptions o;
  o.release_method = ReleaseMethod::SinglePacket;
  o.request_timeout_ms = request_timeout_ms;
  return o;
}

std::vector<Event> events_of(const MemorySink& sink, EventType type) {
  std::vector<Event> out;
  for (const auto& e : sink.events()) {
    if (e.type == type) out.push_back(e);
  }
  return out;
}

TEST(SinglePacketITest, BurstOfEightGoesOutInOneWriteAndLaterOpsThroughLibcurl) {
  test::H2cTestServer server;
  PathProtocol protocol(server.base_url());
  Executor executor(single_packet_options());
  const Scenario scenario = clients_with(8, {op_at("burst"), op_at("after", true)});
  MemorySink history;
  ExecutorResult result = executor.run(scenario, protocol, history);

  EXPECT_EQ(result.ok, 16);
  EXPECT_EQ(result.burst_synchronized, 8);
  EXPECT_EQ(result.burst_unsynchronized, 0);
  ASSERT_EQ(result.single_packet_writes.size(), 1u);
  EXPECT_EQ(result.single_packet_writes[0].streams, 8u);
  EXPECT_EQ(result.single_packet_writes[0].segments, 1);
  EXPECT_EQ(result.burst_spread_ns, 0) << "one write releases every stream";
  std::set<int> reads;
  int h2_ends = 0;
  for (const auto& end : server.stream_ends()) {
    reads.insert(end.read_index);
    ++h2_ends;
  }
  EXPECT_EQ(h2_ends, 8);
  EXPECT_EQ(reads.size(), 1u) << "final frames in " << reads.size() << " server reads";
  EXPECT_EQ(server.http1_requests(), 8) << "the second op of every client goes through libcurl";

  // The history has the shape of the curl path's: an invoke (sent) and a
  // completion per attempt, the invoke before its completion.
  const auto invokes = events_of(history, EventType::Invoke);
  ASSERT_EQ(invokes.size(), 16u);
  int released_together = 0;
  for (const auto& e : invokes) {
    EXPECT_GE(e.sent_ns, e.time_ns);
    EXPECT_EQ(e.attempt, 1);
    EXPECT_TRUE(e.protocol.empty());
    if (e.release.empty()) continue;
    EXPECT_EQ(e.release, "single-packet");
    EXPECT_EQ(e.f, "burst");
    ++released_together;
  }
  EXPECT_EQ(released_together, 8) << "the history marks the burst's requests, and only those";
  // Each completion says which protocol its response came over.
  std::map<std::string, int> protocols;
  for (const auto& e : events_of(history, EventType::Ok)) {
    EXPECT_TRUE(e.release.empty());
    ++protocols[e.f + " " + e.protocol];
  }
  EXPECT_EQ(protocols, (std::map<std::string, int>{{"after http/1.1", 8}, {"burst h2", 8}}));
}

TEST(SinglePacketITest, BodylessFirstRequestsAreSynchronizedToo) {
  test::H2cTestServer server;
  PathProtocol protocol(server.base_url());
  Executor executor(single_packet_options());
  MemorySink history;
  ExecutorResult result = executor.run(clients_with(4, {op_at("balance", true)}), protocol, history);
  EXPECT_EQ(result.ok, 4);
  EXPECT_EQ(result.burst_synchronized, 4);
  EXPECT_EQ(result.burst_unsynchronized, 0);
  std::set<int> reads;
  for (const auto& end : server.stream_ends()) reads.insert(end.read_index);
  EXPECT_EQ(reads.size(), 1u);
}

TEST(SinglePacketITest, ALostResponseIsInfoAndItsRetryGoesThroughLibcurl) {
  test::H2cTestServer server;
  PathProtocol protocol(server.base_url());
  Executor executor(single_packet_options());
  ScenarioOp op = op_at("pay");
  op.lose_response = true;
  op.max_attempts = 2;
  MemorySink history;
  ExecutorResult result = executor.run(clients_with(2, {op}), protocol, history);
  EXPECT_EQ(result.info_reasons["lost-response"], 2);
  EXPECT_EQ(result.ok, 2);
  EXPECT_EQ(server.stream_ends().size(), 2u) << "the lost requests reached the server";
  EXPECT_EQ(server.http1_requests(), 2);
  const auto oks = events_of(history, EventType::Ok);
  ASSERT_EQ(oks.size(), 2u);
  for (const auto& e : oks) EXPECT_EQ(e.attempt, 2);
}

// The server answers the streams of one read in turn, so a slow stream would
// hold back the reset of another: one case per test.
ExecutorResult run_one_against(const std::string& path, int request_timeout_ms, MemorySink& history) {
  test::H2cTestServer server(100, [](const test::H2cTestServer::Request& r) {
    test::H2cTestServer::Reply reply;
    reply.reset = r.path == "/reset";
    if (r.path == "/slow") std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return reply;
  });
  PathProtocol protocol(server.base_url());
  Executor executor(single_packet_options(request_timeout_ms));
  return executor.run(clients_with(2, {op_at(path)}), protocol, history);
}

TEST(SinglePacketITest, AStreamResetByTheServerIsInfo) {
  MemorySink history;
  ExecutorResult result = run_one_against("reset", 1000, history);
  EXPECT_EQ(result.info, 2);
  EXPECT_EQ(result.info_reasons["stream-reset"], 2);
  EXPECT_EQ(events_of(history, EventType::Invoke).size(), 2u);
}

TEST(SinglePacketITest, AStreamWithoutAnswerTimesOut) {
  MemorySink history;
  const auto start = std::chrono::steady_clock::now();
  ExecutorResult result = run_one_against("slow", 200, history);
  EXPECT_EQ(result.info_reasons["timeout"], 2);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
  for (const auto& e : events_of(history, EventType::Invoke)) EXPECT_GE(e.sent_ns, 0);
}

TEST(SinglePacketITest, ARefusedConnectionIsInfoForEveryBurstRequest) {
  std::string base;
  {
    test::H2cTestServer gone;
    base = gone.base_url();
  }
  PathProtocol protocol(base);
  Executor executor(single_packet_options());
  MemorySink history;
  ExecutorResult result = executor.run(clients_with(3, {op_at("x")}), protocol, history);
  EXPECT_EQ(result.info_reasons["connection-refused"], 3);
  for (const auto& e : events_of(history, EventType::Invoke)) EXPECT_EQ(e.sent_ns, -1);
}

}  // namespace
}  // namespace racecheck
