// `racecheck exec --release single-packet` end to end against the in-test h2c
// server (tests/harness/h2c_test_server.h), which also answers the HTTP/1.1
// requests libcurl sends for setup and the final read.
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_fixtures.h"
#include "tests/harness/h2c_test_server.h"
#include "tests/reports/test_process.h"

namespace racecheck::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

H2cTestServer::Reply bank(const H2cTestServer::Request& r) {
  H2cTestServer::Reply reply;
  if (r.method == "POST" && r.path == "/accounts") {
    reply.status = 201;
    reply.body = R"({"id":"a1"})";
  } else if (r.path == "/accounts/a1/withdraw") {
    reply.body = R"({"balance":90})";
  } else if (r.path == "/accounts/a1") {
    reply.body = R"({"balance":80})";
  } else {
    reply.status = 404;
  }
  return reply;
}

TEST(ReleaseFlag, ExecReleasesTheBurstInOnePacketOverHttp2) {
  H2cTestServer server(100, bank);
  TempDir dir;
  const auto spec = dir.path / "spec.json";
  write_file(spec, account_bank_spec("h2c bank", 100).dump());
  json client = {{"ops", {{{"f", "withdraw"}, {"args", {{"account", 0}, {"amount", 10}}}}}}};
  const auto scenario = dir.path / "scenario.json";
  write_file(scenario, json({{"release", "burst"}, {"clients", {client, client}}}).dump());
  const ProcessResult r = run_process({kRacecheck, "exec", spec.string(), scenario.string(), "--history",
                                       (dir.path / "h.jsonl").string(), "--target", server.base_url(), "--release",
                                       "single-packet"},
                                      dir.path, 30s);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_NE(r.out.find("single packet: 2 final frames in one write"), std::string::npos) << describe(r);
  EXPECT_NE(r.out.find("ok 2"), std::string::npos) << describe(r);
  // Setup and the final read go through libcurl, over HTTP/2 too (single-packet
  // implies --http2): each on a connection of its own. The burst is the one
  // connection that carried two streams, both ended by the same socket read.
  std::map<int, std::set<int>> reads_by_connection;
  std::map<int, int> streams_by_connection;
  for (const auto& end : server.stream_ends()) {
    reads_by_connection[end.connection].insert(end.read_index);
    ++streams_by_connection[end.connection];
  }
  int burst_connections = 0;
  for (const auto& [connection, streams] : streams_by_connection) {
    if (streams < 2) continue;
    ++burst_connections;
    EXPECT_EQ(streams, 2);
    EXPECT_EQ(reads_by_connection[connection].size(), 1u);
  }
  EXPECT_EQ(burst_connections, 1);
  EXPECT_EQ(server.http1_requests(), 0) << "the whole run speaks HTTP/2";
}

}  // namespace
}  // namespace racecheck::test
