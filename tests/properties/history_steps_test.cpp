// The "steps" field of a multi-request operation's completion: written, read
// back, and absent from the events of one-request operations (old histories load).
#include <gtest/gtest.h>

#include "properties/history.h"

namespace racecheck {
namespace {

TEST(HistorySteps, RoundTripsThroughBothWriters) {
  Event e;
  e.process = 2;
  e.type = EventType::Ok;
  e.f = "withdraw";
  e.value = {{"amount", 5}};
  e.time_ns = 900;
  e.steps = json::array({{{"step", 0}, {"round", 1}, {"method", "GET"}, {"path", "/kv/k"}, {"status", 200},
                          {"sent_ns", 100}, {"done_ns", 300}},
                         {{"step", 2}, {"round", 1}, {"method", "PUT"}, {"path", "/kv/k"}, {"status", 200},
                          {"sent_ns", 400}, {"done_ns", 800}}});
  const std::string line = event_to_jsonl(e);
  EXPECT_EQ(line, event_to_json(e).dump() + "\n");
  const ParsedHistory parsed = parse_history_jsonl(line);
  ASSERT_EQ(parsed.events.size(), 1u);
  EXPECT_EQ(parsed.events[0].steps, e.steps);
}

TEST(HistorySteps, OneRequestOperationsHaveNoStepsField) {
  const ParsedHistory parsed = parse_history_jsonl(R"({"process":0,"type":"ok","f":"read","value":{"balance":1}})" "\n");
  ASSERT_EQ(parsed.events.size(), 1u);
  EXPECT_TRUE(parsed.events[0].steps.is_null());
  EXPECT_EQ(event_to_jsonl(parsed.events[0]).find("steps"), std::string::npos);
}

TEST(HistorySteps, MalformedStepsNameTheField) {
  try {
    parse_history_jsonl(R"({"process":0,"type":"ok","f":"w","steps":{"method":"GET"}})" "\n");
    FAIL() << "expected HistoryError";
  } catch (const HistoryError& e) {
    EXPECT_EQ(e.field, "steps");
    EXPECT_EQ(e.line, 1);
  }
}

}  // namespace
}  // namespace racecheck
