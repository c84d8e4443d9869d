// The spec's "money" scale and the exact recording of money fields in minor units.
#include <gtest/gtest.h>

#include "harness/history_writer.h"
#include "harness/money_recording.h"
#include "harness/spec.h"

namespace racecheck {
namespace {

json money_spec() {
  return json::parse(R"({
    "base_urls": ["http://127.0.0.1:8080"],
    "money": {"scale": 2},
    "arguments": {"amount": {"type": "decimal", "scale": 2, "min": "0.01", "max": "50.00"}},
    "operations": {
      "withdraw": {"method": "POST", "path": "/withdraw", "body": {"amount": "{amount}"},
                   "classify": [{"status": 200, "outcome": "ok"}],
                   "extract": {"balance": {"pointer": "/balance"}}},
      "deposit": {"method": "POST", "path": "/deposit", "body": {"amount": "{amount}"},
                  "classify": [{"status": 200, "outcome": "ok"}]},
      "read": {"method": "GET", "path": "/balance", "classify": [{"status": 200, "outcome": "ok"}],
               "extract": {"balance": {"pointer": "/balance"}}}
    },
    "model": "account"
  })");
}

std::string spec_error(const json& j) {
  try {
    parse_spec(j, "bank.json");
  } catch (const SpecError& e) {
    return e.what();
  }
  return "";
}

TEST(MoneySpec, ReadsTheScale) {
  const Spec spec = parse_spec(money_spec(), "bank.json");
  EXPECT_TRUE(spec.money.declared);
  EXPECT_EQ(spec.money.scale, 2);
  EXPECT_EQ(recorded_money_fields(spec), (std::vector<std::string>{"amount", "balance"}));
  json plain = money_spec();
  plain.erase("money");
  plain["arguments"]["amount"] = {{"type", "integer"}, {"min", 1}, {"max", 9}};
  const Spec integers = parse_spec(plain, "bank.json");
  EXPECT_FALSE(integers.money.declared);
  EXPECT_TRUE(recorded_money_fields(integers).empty());
}

TEST(MoneySpec, BadMoneyIsRefusedNamingTheField) {
  json j = money_spec();
  j["money"]["scale"] = 19;
  EXPECT_NE(spec_error(j).find("/money/scale"), std::string::npos) << spec_error(j);
  j = money_spec();
  j["money"] = {{"places", 2}};
  EXPECT_NE(spec_error(j).find("/money"), std::string::npos) << spec_error(j);
  // A decimal amount with more places than the money has.
  j = money_spec();
  j["money"]["scale"] = 1;
  EXPECT_NE(spec_error(j).find("/arguments/amount/scale: has 2 places but money has 1"), std::string::npos)
      << spec_error(j);
  // A decimal amount without a money scale.
  j = money_spec();
  j.erase("money");
  EXPECT_NE(spec_error(j).find("/arguments/amount: a decimal money argument (2 places) needs the money scale"),
            std::string::npos)
      << spec_error(j);
}

TEST(MoneyRecording, MoneyFieldsBecomeMinorUnitsAndInexactValuesStayText) {
  MemorySink memory;
  MoneyRecordingSink sink(memory, {"amount", "balance"}, 2);
  Event e;
  e.type = EventType::Ok;
  e.f = "withdraw";
  e.value = json::parse(R"({"account": "7", "amount": "10.10", "balance": 0.30000000000000004})");
  sink.append(e);
  e.value = json::parse(R"({"account": "7", "amount": "0.20", "balance": 89.9})");
  sink.append(e);
  const std::vector<Event> events = memory.take_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].value, json::parse(R"({"account": "7", "amount": 1010, "balance": "0.30000000000000004"})"));
  EXPECT_EQ(events[1].value, json::parse(R"({"account": "7", "amount": 20, "balance": 8990})"));
  EXPECT_EQ(events[1].index, 1);
}

}  // namespace
}  // namespace racecheck
