// Response bytes are bytes, and numbers are exact: a body that is not UTF-8
// survives the history's write -> read round trip byte for byte, and balances
// near the ends of the 64-bit range never make a checker wrap into a false
// violation (an overflow is an Unknown verdict that names the op and values).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <limits>

#include "properties/history.h"
#include "properties/op_fields.h"
#include "properties/properties.h"
#include "tests/properties/op_builder.h"

namespace racecheck {
namespace {

using testing::add_op;
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

// ---------------------------------------------------------------------------
// bytes

RC_GTEST_PROP(ExactBytes, AnyBodySurvivesWriteAndRead, (const std::string& body, const std::string& error)) {
  Event e;
  e.process = 1;
  e.type = EventType::Ok;
  e.f = "read";
  e.value = json{{"account", 0}};
  e.body = body;
  e.error = error;
  e.trial = 3;
  const std::string line = event_to_jsonl(e);
  RC_ASSERT(is_valid_utf8(line));
  RC_ASSERT(line == event_to_json(e).dump() + "\n");  // the fast writer and the json form agree
  const ParsedHistory back = parse_history_jsonl(line);
  RC_ASSERT(back.events.size() == 1u);
  RC_ASSERT(back.events[0].body == body);
  RC_ASSERT(back.events[0].trial == 3);
  // The error is display text: its valid UTF-8 is kept, other bytes become \xHH.
  RC_ASSERT(back.events[0].error == escape_invalid_utf8(error));
}

TEST(ExactBytes, InvalidBytesAreShownAsHexEscapes) {
  EXPECT_EQ(escape_invalid_utf8(std::string("ok \xff\xfe \xc3\xa9 \xc3(", 11)), "ok \\xff\\xfe \xc3\xa9 \\xc3(");
  EXPECT_EQ(escape_invalid_utf8("\xed\xa0\x80"), "\\xed\\xa0\\x80") << "a UTF-16 surrogate is not UTF-8";
  EXPECT_EQ(escape_invalid_utf8("\xc0\xaf"), "\\xc0\\xaf") << "an overlong form is not UTF-8";
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));
  json j = {{"body", std::string("\xff")}, {std::string("k\xfe"), {std::string("\x80")}}};
  escape_invalid_utf8_strings(j);
  EXPECT_EQ(j.dump(), R"({"body":"\\xff","k\\xfe":["\\x80"]})");
}

RC_GTEST_PROP(ExactBytes, EscapedTextIsAlwaysValidUtf8, (const std::string& bytes)) {
  const std::string shown = escape_invalid_utf8(bytes);
  RC_ASSERT(is_valid_utf8(shown));
  RC_ASSERT(json(shown).dump().size() >= 2u);  // nlohmann accepts it: no type_error 316
  if (is_valid_utf8(bytes)) RC_ASSERT(shown == bytes);
}

RC_GTEST_PROP(ExactBytes, Base64RoundTrips, (const std::string& bytes)) {
  std::string back;
  RC_ASSERT(base64_decode(base64_encode(bytes), &back));
  RC_ASSERT(back == bytes);
}

TEST(ExactBytes, BadBase64BodyIsAnErrorNamingTheField) {
  try {
    parse_history_jsonl(R"({"process":0,"type":"ok","f":"read","body_base64":"@@@"})" "\n");
    FAIL() << "accepted";
  } catch (const HistoryError& e) {
    EXPECT_EQ(e.field, "body_base64");
  }
}

TEST(ExactBytes, TrialsAreSplitAndReindexed) {
  const auto parsed = parse_history_jsonl(
      "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"trial\":1}\n"
      "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"trial\":1}\n"
      "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"trial\":2}\n");
  const auto trials = split_trials(parsed.events);
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].size(), 2u);
  ASSERT_EQ(trials[1].size(), 1u);
  EXPECT_EQ(trials[1][0].index, 0);
  EXPECT_EQ(trials[1][0].trial, 2);
}

// ---------------------------------------------------------------------------
// numbers

TEST(ExactNumbers, UnsignedAboveInt64IsNotReadAsNegative) {
  std::vector<Operation> ops;
  add_op(ops, "read", json{{"account", "a"}}, Outcome::Ok, json{{"balance", std::numeric_limits<std::uint64_t>::max()}},
         0, 1);
  EXPECT_THROW(fields::required_int(ops[0], ops[0].output, "balance"), ModelInputError);
  ops[0].output = json{{"balance", std::uint64_t{1} << 63}};
  EXPECT_THROW(fields::required_int(ops[0], ops[0].output, "balance"), ModelInputError);
}

TEST(ExactNumbers, DepositPastInt64MaxIsUndecidedNotAViolation) {
  std::vector<Operation> ops;
  add_op(ops, "open", json{{"account", "a"}, {"balance", kMax - 5}}, Outcome::Ok, json::object(), 0, 1);
  add_op(ops, "deposit", json{{"account", "a"}, {"amount", 10}}, Outcome::Info, json(), 2, 3);
  add_op(ops, "withdraw", json{{"account", "a"}, {"amount", 20}}, Outcome::Ok, json{{"balance", kMax - 15}}, 4, 5);
  CheckOptions o;
  o.model = "account";
  const CheckReport r = check_operations(ops, o);
  EXPECT_NE(r.overall(), Status::Fail);
  bool named = false;
  for (const auto& v : r.verdicts) {
    EXPECT_NE(v.status, Status::Fail) << v.invariant << ": " << v.summary;
    if (v.status == Status::Unknown && v.summary.find("9223372036854775802 + 10") != std::string::npos) named = true;
  }
  EXPECT_TRUE(named) << "an overflow is reported with the op and its values";
}

// A truthful sequential account: every op's answer is what a correct service
// with unbounded integers would say. An op whose true balance does not fit in
// 64 bits is answered info (the client could not read it), like racecheck's
// "value-out-of-range". No checker may call such a history a violation.
// A non-negative balance near 0, 2^62 or 2^63-1 (no-overdraft rightly fails a
// negative one, so a truthful bank never has one).
std::int64_t near_edge() {
  const int which = *rc::gen::inRange(0, 3);
  const std::int64_t offset = *rc::gen::inRange<std::int64_t>(0, 1000);
  switch (which) {
    case 0: return kMax - offset;
    case 1: return offset;
    default: return kMax / 2 + offset;
  }
}

RC_GTEST_PROP(ExactNumbers, TruthfulAccountsNearTheEdgesNeverFail, ()) {
  const std::int64_t initial = near_edge();
  const int n = *rc::gen::inRange(1, 8);
  std::vector<Operation> ops;
  std::int64_t t = 0;
  add_op(ops, "open", json{{"account", "a"}, {"balance", initial}}, Outcome::Ok, json::object(), t, t + 1);
  t += 2;
  __int128 balance = initial;
  auto fits = [](__int128 v) { return v >= kMin && v <= kMax; };
  for (int i = 0; i < n; ++i) {
    const int kind = *rc::gen::inRange(0, 3);
    const std::int64_t amount = *rc::gen::elementOf(std::vector<std::int64_t>{0, 1, 7, 100, kMax / 2, kMax - 1, kMax});
    if (kind == 2) {
      if (fits(balance))
        add_op(ops, "read", json{{"account", "a"}}, Outcome::Ok, json{{"balance", static_cast<std::int64_t>(balance)}},
               t, t + 1);
      else
        add_op(ops, "read", json{{"account", "a"}}, Outcome::Info, json(), t, t + 1, "value-out-of-range");
    } else {
      const bool deposit = kind == 0;
      const json in = json{{"account", "a"}, {"amount", amount}};
      if (!deposit && balance < amount) {
        add_op(ops, "withdraw", in, Outcome::Fail, json::object(), t, t + 1, "insufficient-funds");
      } else {
        balance += deposit ? amount : -static_cast<__int128>(amount);
        if (fits(balance))
          add_op(ops, deposit ? "deposit" : "withdraw", in, Outcome::Ok,
                 json{{"balance", static_cast<std::int64_t>(balance)}}, t, t + 1);
        else
          add_op(ops, deposit ? "deposit" : "withdraw", in, Outcome::Info, json(), t, t + 1, "value-out-of-range");
      }
    }
    t += 2;
  }
  CheckOptions o;
  o.model = "account";
  const CheckReport r = check_operations(ops, o);
  for (const auto& v : r.verdicts) RC_ASSERT(v.status != Status::Fail);
}

RC_GTEST_PROP(ExactNumbers, TruthfulCountersNearTheEdgesNeverFail, ()) {
  const int n = *rc::gen::inRange(1, 6);
  std::vector<Operation> ops;
  __int128 value = 0;
  std::int64_t t = 0;
  bool representable = true;
  for (int i = 0; i < n; ++i) {
    const std::int64_t amount = *rc::gen::elementOf(std::vector<std::int64_t>{kMax, kMin + 1, kMax - 1, 1, -1, kMax / 2});
    value += amount;
    representable = representable && value >= kMin && value <= kMax;
    add_op(ops, "increment", json{{"amount", amount}}, Outcome::Ok, json::object(), t, t + 1);
    t += 2;
    if (representable)
      add_op(ops, "read", json(), Outcome::Ok, json{{"value", static_cast<std::int64_t>(value)}}, t, t + 1);
    t += 2;
  }
  CheckOptions o;
  o.model = "counter";
  const CheckReport r = check_operations(ops, o);
  for (const auto& v : r.verdicts) RC_ASSERT(v.status != Status::Fail);
}

}  // namespace
}  // namespace racecheck
