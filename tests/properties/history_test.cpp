#include "properties/history.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace racecheck {
namespace {

TEST(History, EventRoundTripsThroughJson) {
  Event e;
  e.index = 7;
  e.process = 3;
  e.type = EventType::Ok;
  e.f = "withdraw";
  e.value = json{{"amount", 50}, {"balance", 50}};
  e.key = "c3-op1";
  e.attempt = 2;
  e.instance = 1;
  e.status = 200;
  e.body = "{\"balance\":50}";
  e.error = "";
  e.time_ns = 1300222;
  const Event back = event_from_json(event_to_json(e));
  EXPECT_EQ(back.index, 7);
  EXPECT_EQ(back.process, 3);
  EXPECT_EQ(back.type, EventType::Ok);
  EXPECT_EQ(back.f, "withdraw");
  EXPECT_EQ(back.value, e.value);
  EXPECT_EQ(back.key, "c3-op1");
  EXPECT_EQ(back.attempt, 2);
  EXPECT_EQ(back.instance, 1);
  EXPECT_EQ(back.status, 200);
  EXPECT_EQ(back.body, e.body);
  EXPECT_EQ(back.time_ns, 1300222);
  EXPECT_EQ(back.sent_ns, -1);
  EXPECT_EQ(back.protocol, "");
  EXPECT_EQ(back.release, "");
}

TEST(History, ReleaseAndProtocolRoundTrip) {
  Event invoke;
  invoke.f = "withdraw";
  invoke.release = "single-packet";
  invoke.sent_ns = 10;
  Event done = invoke;
  done.type = EventType::Ok;
  done.release.clear();
  done.protocol = "h2";
  const ParsedHistory h = parse_history_jsonl(event_to_jsonl(invoke) + event_to_jsonl(done));
  ASSERT_EQ(h.events.size(), 2u);
  EXPECT_EQ(h.events[0].release, "single-packet");
  EXPECT_EQ(h.events[0].protocol, "");
  EXPECT_EQ(h.events[1].protocol, "h2");
  EXPECT_NE(event_to_jsonl(done).find("\"protocol\":\"h2\""), std::string::npos);
  EXPECT_THROW(parse_history_jsonl("{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"protocol\":2}\n"), HistoryError);
}

TEST(History, JsonlLineEndsWithNewlineAndParsesBack) {
  Event e;
  e.process = 1;
  e.f = "read";
  e.body = std::string("\xff\xfe bad utf8");
  e.type = EventType::Info;
  const std::string line = event_to_jsonl(e);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  const ParsedHistory h = parse_history_jsonl(line);
  ASSERT_EQ(h.events.size(), 1u);
  EXPECT_EQ(h.events[0].type, EventType::Info);
}

TEST(History, TruncatedLastLineIsDroppedAndReported) {
  const std::string text =
      "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
      "\n"
      "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":{\"val";
  const ParsedHistory h = parse_history_jsonl(text);
  EXPECT_TRUE(h.truncated_tail);
  ASSERT_EQ(h.events.size(), 1u);
  EXPECT_EQ(h.events[0].index, 0);
}

TEST(History, CompleteLastLineWithoutNewlineIsKept) {
  const ParsedHistory h =
      parse_history_jsonl("{\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}");
  EXPECT_FALSE(h.truncated_tail);
  EXPECT_EQ(h.events.size(), 1u);
}

TEST(History, BadLineNamesLineAndField) {
  const std::string text =
      "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}\n"
      "{\"process\":0,\"type\":\"done\",\"f\":\"read\"}\n";
  try {
    parse_history_jsonl(text);
    FAIL() << "expected HistoryError";
  } catch (const HistoryError& e) {
    EXPECT_EQ(e.line, 2);
    EXPECT_EQ(e.field, "type");
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos);
  }
  EXPECT_THROW(parse_history_jsonl("{\"type\":\"invoke\",\"f\":\"read\"}\n"), HistoryError);
  EXPECT_THROW(parse_history_jsonl("{\"process\":\"x\",\"type\":\"invoke\",\"f\":\"r\"}\n"), HistoryError);
  EXPECT_THROW(parse_history_jsonl("not json\n{}\n"), HistoryError);
  EXPECT_THROW(parse_history_jsonl("[1,2]\n"), HistoryError);
}

Event ev(std::int64_t process, EventType t, std::string f, json v, std::int64_t time = -1) {
  Event e;
  e.process = process;
  e.type = t;
  e.f = std::move(f);
  e.value = std::move(v);
  e.time_ns = time;
  return e;
}

std::vector<Event> reindexed(std::vector<Event> evs) {
  for (std::size_t i = 0; i < evs.size(); ++i) evs[i].index = static_cast<std::int64_t>(i);
  return evs;
}

TEST(History, PairsByProcessWithClock) {
  auto evs = reindexed({ev(1, EventType::Invoke, "write", {{"value", 1}}, 100),
                        ev(2, EventType::Invoke, "read", nullptr, 110),
                        ev(2, EventType::Ok, "read", {{"value", 1}}, 150),
                        ev(1, EventType::Ok, "write", {{"value", 1}}, 160),
                        ev(3, EventType::Invoke, "write", {{"value", 2}}, 170),
                        ev(3, EventType::Info, "write", nullptr, 180),
                        ev(4, EventType::Invoke, "read", nullptr, 190)});
  const PairingResult r = pair_operations(evs);
  EXPECT_TRUE(r.problems.empty());
  ASSERT_EQ(r.ops.size(), 4u);
  EXPECT_EQ(r.ops[0].call, 100);
  EXPECT_EQ(r.ops[0].ret, 160);
  EXPECT_EQ(r.ops[0].outcome, Outcome::Ok);
  EXPECT_EQ(r.ops[1].call, 110);
  EXPECT_EQ(r.ops[1].ret, 150);
  EXPECT_EQ(r.ops[1].output, (json{{"value", 1}}));
  EXPECT_EQ(r.ops[1].complete_event, 2);
  EXPECT_EQ(r.ops[2].outcome, Outcome::Info);
  EXPECT_EQ(r.ops[2].ret, kNever);
  EXPECT_EQ(r.ops[2].complete_event, 5);
  EXPECT_EQ(r.ops[3].outcome, Outcome::Info);  // left open at the end
  EXPECT_EQ(r.ops[3].ret, kNever);
  EXPECT_EQ(r.ops[3].complete_event, -1);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(r.ops[static_cast<std::size_t>(i)].id, i);
}

TEST(History, MissingClockUsesEventIndices) {
  auto evs = reindexed({ev(1, EventType::Invoke, "write", {{"value", 1}}, 100),
                        ev(2, EventType::Invoke, "read", nullptr, -1),
                        ev(1, EventType::Fail, "write", nullptr, 300),
                        ev(2, EventType::Ok, "read", {{"value", nullptr}}, 400)});
  const PairingResult r = pair_operations(evs);
  ASSERT_EQ(r.ops.size(), 2u);
  EXPECT_EQ(r.ops[0].call, 0);
  EXPECT_EQ(r.ops[0].ret, 2);
  EXPECT_EQ(r.ops[0].outcome, Outcome::Fail);
  EXPECT_EQ(r.ops[1].call, 1);
  EXPECT_EQ(r.ops[1].ret, 3);
}

TEST(History, PairingReportsOrphansAndDoubleInvokes) {
  auto evs = reindexed({ev(1, EventType::Ok, "read", nullptr),
                        ev(2, EventType::Invoke, "read", nullptr),
                        ev(2, EventType::Invoke, "write", {{"value", 3}}),
                        ev(2, EventType::Ok, "write", nullptr)});
  const PairingResult r = pair_operations(evs);
  EXPECT_EQ(r.problems.size(), 2u);
  ASSERT_EQ(r.ops.size(), 2u);
  EXPECT_EQ(r.ops[0].outcome, Outcome::Info);
  EXPECT_EQ(r.ops[1].outcome, Outcome::Ok);
}

// Any event with printable strings survives JSONL printing and parsing.
RC_GTEST_PROP(History, JsonlRoundTrip, ()) {
  Event e;
  e.process = *rc::gen::inRange<std::int64_t>(0, 1000);
  e.type = *rc::gen::element(EventType::Invoke, EventType::Ok, EventType::Fail, EventType::Info);
  e.f = *rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::inRange('a', 'z')));
  e.key = *rc::gen::container<std::string>(rc::gen::inRange(' ', '~'));
  e.attempt = *rc::gen::inRange(1, 5);
  e.status = *rc::gen::inRange(0, 600);
  e.body = *rc::gen::container<std::string>(rc::gen::inRange(' ', '~'));
  e.time_ns = *rc::gen::inRange<std::int64_t>(-1, 1'000'000'000);
  e.value = json{{"amount", *rc::gen::inRange(0, 100)}};
  const ParsedHistory h = parse_history_jsonl(event_to_jsonl(e) + event_to_jsonl(e));
  RC_ASSERT(h.events.size() == 2u);
  RC_ASSERT(!h.truncated_tail);
  const Event& b = h.events[1];
  RC_ASSERT(b.index == 1);
  RC_ASSERT(b.process == e.process);
  RC_ASSERT(b.type == e.type);
  RC_ASSERT(b.f == e.f);
  RC_ASSERT(b.key == e.key);
  RC_ASSERT(b.attempt == e.attempt);
  RC_ASSERT(b.status == e.status);
  RC_ASSERT(b.body == e.body);
  RC_ASSERT(b.time_ns == e.time_ns);
  RC_ASSERT(b.value == e.value);
}

// event_to_jsonl writes its lines by hand for speed; they must be byte for byte
// what nlohmann writes for event_to_json: any bytes in the strings (control
// characters, quotes, invalid and valid UTF-8), any field at or off its default.
RC_GTEST_PROP(History, JsonlLineIsNlohmannsDump, ()) {
  const auto any_bytes = rc::gen::container<std::string>(rc::gen::arbitrary<char>());
  const auto some_bytes = rc::gen::oneOf(any_bytes, rc::gen::container<std::string>(rc::gen::inRange('\0', '~')),
                                         rc::gen::just(std::string("caf\xc3\xa9 \xe2\x82\xac \"q\" \\ \x7f")));
  Event e;
  e.index = *rc::gen::inRange<std::int64_t>(0, 1'000'000);
  e.process = *rc::gen::inRange<std::int64_t>(-2, 1000);
  e.type = *rc::gen::element(EventType::Invoke, EventType::Ok, EventType::Fail, EventType::Info);
  e.f = *some_bytes;
  e.key = *some_bytes;
  e.attempt = *rc::gen::inRange(1, 4);
  e.instance = *rc::gen::inRange(0, 3);
  e.status = *rc::gen::inRange(0, 600);
  e.body = *some_bytes;
  e.body_truncated = *rc::gen::arbitrary<bool>();
  e.error = *some_bytes;
  e.time_ns = *rc::gen::inRange<std::int64_t>(-1, 3);
  e.sent_ns = *rc::gen::element<std::int64_t>(-1, 0, 5'000'000'000'000);
  e.release = *rc::gen::oneOf(rc::gen::just(std::string()), rc::gen::just(std::string("single-packet")), some_bytes);
  e.protocol = *rc::gen::oneOf(rc::gen::just(std::string()), rc::gen::just(std::string("h2")), some_bytes);
  e.value = *rc::gen::element(json(), json{{"amount", 3}, {"account", "a"}}, json(*some_bytes), json::array({1, 2}));
  const std::string expected = event_to_json(e).dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  RC_ASSERT(event_to_jsonl(e) == expected);
}

}  // namespace
}  // namespace racecheck
