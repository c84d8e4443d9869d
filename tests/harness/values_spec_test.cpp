// Typed values in a spec: declared argument domains (parsing, generation,
// shrinking), filters and arithmetic in templates, form / raw / query
// encodings, extractions with conversions, and a register whose reads return
// strings ("4" for a written 4) checked without a false alarm.
#include <climits>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "harness/conversions.h"
#include "harness/generator.h"
#include "harness/generator_settings.h"
#include "harness/scenario.h"
#include "harness/spec.h"
#include "harness/spec_protocol.h"
#include "properties/linearizability.h"
#include "properties/models.h"

namespace racecheck {
namespace {

json values_spec() {
  return json::parse(R"({
    "base_urls": ["http://127.0.0.1:8080"],
    "accounts": {"count": 1, "id": "acct-{index}"},
    "arguments": {
      "amount": {"type": "integer", "min": 1, "max": 9},
      "memo": {"type": "bytes", "length": [1, 16]},
      "price": {"type": "decimal", "scale": 2, "min": "0.01", "max": "100.00"},
      "tag": {"type": "string", "choices": ["red", "blue"]},
      "note": {"type": "string", "length": [2, 4]},
      "request_id": {"type": "uuid"}
    },
    "operations": {
      "withdraw": {
        "method": "POST", "path": "/v1/accounts/{account}:withdraw",
        "query": {"note": "{note}", "tag": "{tag}"},
        "body": {"amount": "{amount|string}", "memo": "{memo|base64}", "price": "{price}", "id": "{request_id}",
                 "left": "{amount-amount}"},
        "classify": [{"status": 200, "outcome": "ok"}],
        "extract": {"balance": {"pointer": "/balance", "convert": ["integer"]},
                    "version": {"header": "etag"},
                    "memo": {"pointer": "/memo", "convert": ["base64-decode"]}}
      },
      "deposit": {
        "method": "POST", "path": "/deposit",
        "form": {"account": "{account}", "amount": "{amount}", "note": "{note}"},
        "classify": [{"status": 200, "outcome": "ok"}]
      },
      "comment": {
        "as": "deposit", "method": "PUT", "path": "/comment",
        "raw": "amount={amount|decimal:2} tag={tag}",
        "classify": [{"status": 200, "outcome": "ok"}]
      },
      "read": {"method": "GET", "path": "/v1/accounts/{account}", "classify": [{"status": 200, "outcome": "ok"}],
               "extract": {"balance": {"pointer": "/balance", "convert": ["integer"]}}}
    },
    "model": "account"
  })");
}

std::string load_error(const json& j) {
  try {
    parse_spec(j, "values.json");
  } catch (const SpecError& e) {
    return e.pointer + ": " + e.reason;
  }
  return "<loaded>";
}

TEST(ValuesSpec, ParsesArgumentDomains) {
  const Spec s = parse_spec(values_spec(), "values.json");
  ASSERT_EQ(s.arguments.size(), 6u);
  const auto find = [&](const std::string& name) {
    for (const auto& [n, a] : s.arguments)
      if (n == name) return a;
    ADD_FAILURE() << name;
    return ArgumentSpec{};
  };
  EXPECT_EQ(find("amount").min, 1);
  EXPECT_EQ(find("amount").max, 9);
  EXPECT_EQ(find("memo").type, ArgumentType::Bytes);
  EXPECT_EQ(find("price").min, 1);  // units of 0.01
  EXPECT_EQ(find("price").max, 10000);
  EXPECT_EQ(find("tag").choices, (std::vector<std::string>{"red", "blue"}));
  EXPECT_EQ(find("note").length.lo, 2);
  const OperationSpec* w = s.find_operation("withdraw");
  ASSERT_NE(w, nullptr);
    // Path, query, then the body (whose keys a JSON object keeps sorted).
  EXPECT_EQ(w->args, (std::vector<std::string>{"account", "note", "tag", "amount", "request_id", "memo", "price"}));
  ASSERT_EQ(w->extract.size(), 3u);
  EXPECT_EQ(w->extract.at(2).first, "version");
  EXPECT_EQ(w->extract.at(2).second.header, "etag");
  EXPECT_EQ(w->extract.at(0).second.convert, std::vector<std::string>{"integer"});
}

TEST(ValuesSpec, BadArgumentsAndFiltersNameTheirPointer) {
  auto with = [](const std::string& pointer, const json& value) {
    json j = values_spec();
    j[json::json_pointer(pointer)] = value;
    return load_error(j);
  };
  EXPECT_EQ(with("/arguments/amount/max", 0), "/arguments/amount/max: is less than min");
  EXPECT_EQ(with("/arguments/amount/type", "int"),
            "/arguments/amount/type: expected \"integer\", \"string\", \"uuid\", \"bytes\" or \"decimal\", got \"int\"");
  EXPECT_EQ(with("/arguments/price/min", "0.001"),
            "/arguments/price/min: expected a decimal string with at most 2 places (scale), got \"0.001\"");
  EXPECT_EQ(with("/arguments/price/max", 100), "/arguments/price/max: expected a string, got number");
  EXPECT_EQ(with("/arguments/tag/length", json::array({1, 2})),
            "/arguments/tag: use either \"choices\" or \"length\", not both");
  EXPECT_EQ(with("/arguments/memo/length", json::array({1, 5000})), "/arguments/memo/length/1: expected an integer 0-4096");
  EXPECT_EQ(with("/arguments/account", json{{"type", "uuid"}}),
            "/arguments/account: \"account\" is a reserved placeholder name, not an argument");
  EXPECT_NE(with("/operations/withdraw/body/amount", "{amount|int}")
                .find("/operations/withdraw/body/amount: unknown filter \"int\""),
            std::string::npos);
  EXPECT_NE(with("/operations/withdraw/extract/balance/convert/0", "decimal:99")
                .find("/operations/withdraw/extract/balance/convert/0: bad filter \"decimal:99\""),
            std::string::npos);
  EXPECT_EQ(with("/operations/withdraw/extract/balance/header", "ETag"),
            "/operations/withdraw/extract/balance: expected exactly one of \"pointer\" and \"header\"");
  EXPECT_EQ(with("/operations/deposit/raw", "x"),
            "/operations/deposit/raw: a request has one body: use only one of \"body\", \"form\" and \"raw\"");
  EXPECT_EQ(with("/operations/deposit/form/amount", 5), "/operations/deposit/form/amount: expected a string, got number");
}

HttpRequest render(const Spec& s, const std::string& f, json args) {
  TrialVariables v;
  v.account_ids = {"acct 0"};
  SpecProtocol p(s, v);
  ScenarioOp op;
  op.f = f;
  op.args = std::move(args);
  op.args["account"] = 0;
  return p.render(op, 0);
}

std::string header(const HttpRequest& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return "<absent>";
}

TEST(ValuesSpec, RendersFiltersArithmeticAndQuery) {
  const Spec s = parse_spec(values_spec(), "values.json");
  const json args = {{"amount", 7}, {"memo", bytes_value(std::string("\xff\x00 m", 4))}, {"price", "0.50"},
                     {"tag", "red"}, {"note", "a b&c"}, {"request_id", "00000000-0000-4000-8000-000000000000"}};
  const HttpRequest r = render(s, "withdraw", args);
  EXPECT_EQ(r.url, "http://127.0.0.1:8080/v1/accounts/acct%200:withdraw?note=a%20b%26c&tag=red");
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"amount": "7", "memo": "/wAgbQ==", "price": "0.50",
                                                 "id": "00000000-0000-4000-8000-000000000000", "left": 0})"));
  EXPECT_EQ(header(r, "Content-Type"), "application/json");
}

TEST(ValuesSpec, FormAndRawBodiesAreEncodedWithTheirContentType) {
  const Spec s = parse_spec(values_spec(), "values.json");
  const HttpRequest form = render(s, "deposit", {{"amount", 50}, {"note", "a b+c/é"}});
  EXPECT_EQ(form.body, "account=acct+0&amount=50&note=a+b%2Bc%2F%C3%A9");
  EXPECT_EQ(header(form, "Content-Type"), "application/x-www-form-urlencoded");
  const HttpRequest raw = render(s, "comment", {{"amount", 5}, {"tag", "blue"}});
  EXPECT_EQ(raw.body, "amount=5.00 tag=blue");
  EXPECT_EQ(header(raw, "Content-Type"), "text/plain");
  json j = values_spec();
  j["operations"]["comment"]["headers"] = {{"content-type", "text/csv"}};
  const HttpRequest csv = render(parse_spec(j, "values.json"), "comment", {{"amount", 5}, {"tag", "blue"}});
  EXPECT_EQ(header(csv, "content-type"), "text/csv");
  EXPECT_EQ(header(csv, "Content-Type"), "<absent>");
}

TEST(ValuesSpec, RenderErrorsNameThePlaceholder) {
  const auto lookup = [](const std::string& name) -> std::optional<json> {
    if (name == "big") return json(INT64_MAX);
    if (name == "one") return json("1");
    if (name == "bytes") return bytes_value(std::string("\xff", 1));
    if (name == "word") return json("abc");
    return std::nullopt;
  };
  try {
    render_value(json("{big+one}"), lookup);
    ADD_FAILURE() << "no RenderError";
  } catch (const RenderError& e) {
    EXPECT_NE(std::string(e.what()).find("{big+one}: 9223372036854775807 + 1 does not fit"), std::string::npos) << e.what();
  }
  EXPECT_EQ(render_value(json("{big-one}"), lookup), json(INT64_MAX - 1));
  EXPECT_THROW(render_value(json("{word|integer}"), lookup), RenderError);
  EXPECT_THROW(render_value(json("{bytes}"), lookup), RenderError);  // not UTF-8: needs |base64
  EXPECT_EQ(render_value(json("{bytes|base64}"), lookup), json("/w=="));
}

HttpResponse response(int status, std::string body, Headers headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(ValuesSpec, ExtractionsConvertAndRefuseUnconvertibleValues) {
  const Spec s = parse_spec(values_spec(), "values.json");
  SpecProtocol p(s, TrialVariables{});
  ScenarioOp op;
  op.f = "withdraw";
  Classification c = p.classify(op, response(200, R"({"balance": "9007199254740993", "memo": "aGk="})", {{"ETag", "\"v7\""}}));
  EXPECT_EQ(c.outcome, Outcome::Ok);
  EXPECT_EQ(c.extracted, json::parse(R"({"balance": 9007199254740993, "version": "\"v7\"", "memo": "hi"})"));
  c = p.classify(op, response(200, R"({"balance": "12abc"})"));
  EXPECT_EQ(c.outcome, Outcome::Info);
  EXPECT_EQ(c.error, "value-unconvertible: balance integer: \"12abc\" is not a decimal integer that fits in 64 bits");
  EXPECT_EQ(c.extracted, json::object());
}

// The issue's false alarm: a register service that returns the value as a
// string. With "convert": ["integer"] the read compares equal to the write.
TEST(ValuesSpec, RegisterReadOfAStringIsComparableAfterConversion) {
  json j = json::parse(R"({
    "base_urls": ["http://127.0.0.1:8080"],
    "operations": {
      "write": {"method": "PUT", "path": "/register", "body": {"value": "{value}"},
                "classify": [{"status": 200, "outcome": "ok"}]},
      "read": {"method": "GET", "path": "/register", "classify": [{"status": 200, "outcome": "ok"}],
               "extract": {"value": {"pointer": "/value", "convert": ["integer"]}}}
    },
    "model": "register"
  })");
  const auto history_with_read_of = [&](const json& spec_json) {
    SpecProtocol p(parse_spec(spec_json, "register.json"), TrialVariables{});
    ScenarioOp read;
    read.f = "read";
    std::vector<Operation> ops(2);
    ops[0].id = 0, ops[0].process = 0, ops[0].f = "write", ops[0].input = {{"value", 4}};
    ops[0].outcome = Outcome::Ok, ops[0].call = 0, ops[0].ret = 10;
    ops[1].id = 1, ops[1].process = 1, ops[1].f = "read", ops[1].input = json::object();
    ops[1].outcome = Outcome::Ok, ops[1].call = 20, ops[1].ret = 30;
    ops[1].output = p.classify(read, response(200, R"({"value": "4"})")).extracted;
    return check_linearizability(*find_model("register"), ops).status;
  };
  EXPECT_EQ(history_with_read_of(j), Status::Pass);
  j["operations"]["read"]["extract"]["value"] = "/value";  // as before: "4" != 4
  EXPECT_EQ(history_with_read_of(j), Status::Fail);
}

TEST(ValuesSpec, ReplayedScenariosMustHoldDeclaredTypes) {
  const Spec s = parse_spec(values_spec(), "values.json");
  Scenario sc;
  sc.clients.resize(1);
  ScenarioOp op;
  op.f = "deposit";
  op.args = {{"account", 0}, {"amount", 5}, {"note", "ab"}};
  sc.clients[0].ops.push_back(op);
  EXPECT_NO_THROW(check_scenario(s, sc, 1));
  sc.clients[0].ops[0].args["amount"] = "5";
  try {
    check_scenario(s, sc, 1);
    ADD_FAILURE() << "a string amount was accepted";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.pointer, "/clients/0/ops/0/args/amount");
    EXPECT_EQ(e.reason, "expected an integer (declared in /arguments/amount), got string");
  }
}

// Follows the first shrink of every step: the generator's smallest value.
json smallest(const rc::Gen<json>& gen) {
  rc::Shrinkable<json> value = gen(rc::Random(7), 100);
  for (int steps = 0; steps < 10000; ++steps) {
    rc::Maybe<rc::Shrinkable<json>> next = value.shrinks().next();
    if (!next) break;
    value = *next;
  }
  return value.value();
}

ArgDomain domain_of(const std::string& name) {
  return generator_settings_from_spec(parse_spec(values_spec(), "values.json")).arguments.at(name);
}

TEST(ValuesSpec, GeneratorDrawsFromDeclaredDomainsAndShrinksToTheLowEnd) {
  EXPECT_EQ(smallest(gen_argument(domain_of("amount"))), json(1));
  EXPECT_EQ(smallest(gen_argument(domain_of("price"))), json("0.01"));
  EXPECT_EQ(smallest(gen_argument(domain_of("tag"))), json("red"));
  EXPECT_EQ(smallest(gen_argument(domain_of("note"))), json("aa"));
  EXPECT_EQ(smallest(gen_argument(domain_of("memo"))), json(std::string(1, '\0')));
  EXPECT_EQ(smallest(gen_argument(domain_of("request_id"))), json("00000000-0000-4000-8000-000000000000"));
  ArgDomain full;
  full.range = {INT64_MIN, INT64_MAX};
  EXPECT_EQ(smallest(gen_argument(full)), json(INT64_MIN));
}

RC_GTEST_PROP(ValuesSpec, GeneratedValuesStayInTheirDomains, ()) {
  const ArgDomain amount = domain_of("amount"), price = domain_of("price"), note = domain_of("note"),
                  memo = domain_of("memo"), id = domain_of("request_id");
  const std::int64_t a = (*gen_argument(amount)).get<std::int64_t>();
  RC_ASSERT(a >= 1 && a <= 9);
  const std::string p = (*gen_argument(price)).get<std::string>();
  RC_ASSERT(apply_filter(p, "decimal:2") == json(p));  // exactly two places
  const std::int64_t cents = apply_filter(std::string(p).erase(p.size() - 3, 1), "integer").get<std::int64_t>();
  RC_ASSERT(cents >= 1 && cents <= 10000);
  const std::size_t n = (*gen_argument(note)).get<std::string>().size();
  RC_ASSERT(n >= 2u && n <= 4u);
  const json m = *gen_argument(memo);
  const std::size_t bytes = raw_bytes(m)->size();
  RC_ASSERT(bytes >= 1u && bytes <= 16u);
  RC_ASSERT(std::string((*gen_argument(id)).get<std::string>()).size() == 36u);
  // Scenario JSON (racecheck replay) keeps every value exactly.
  Scenario sc;
  sc.clients.resize(1);
  ScenarioOp op;
  op.f = "withdraw";
  op.args = {{"memo", m}, {"price", p}, {"amount", a}};
  sc.clients[0].ops.push_back(op);
  const Scenario back = scenario_from_json(json::parse(scenario_to_json(sc).dump()));
  RC_ASSERT(back.clients[0].ops[0].args == op.args);
}

}  // namespace
}  // namespace racecheck
