// The model and invariant registries: what each model says its operations mean,
// which invariants apply, and that the docs list what the registries hold.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "properties/money.h"
#include "properties/properties.h"
#include "tests/properties/op_builder.h"

namespace racecheck {
namespace {

using testing::add_op;

std::string read_doc(const std::string& relative) {
  std::ifstream in(std::string(RACECHECK_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(InvariantRegistry, OneListInRunOrder) {
  EXPECT_EQ(invariant_names(),
            (std::vector<std::string>{"no-overdraft", "conservation", "idempotency", "linearizability",
                                      "exact-money", "input-validation"}));
  for (const Invariant& i : all_invariants()) {
    EXPECT_EQ(find_invariant(i.name), &i);
    EXPECT_FALSE(std::string(i.description).empty()) << i.name;
    EXPECT_FALSE(std::string(i.all_passed).empty()) << i.name;
  }
  EXPECT_EQ(find_invariant("serializability"), nullptr);
}

TEST(InvariantRegistry, ModelsGetTheInvariantsTheirLedgerAllows) {
  // input-validation is not a default: it joins a check whose history holds hostile inputs.
  const std::vector<std::string> all = {"no-overdraft", "conservation", "idempotency", "linearizability",
                                        "exact-money"};
  const std::vector<std::string> without_ledger = {"idempotency", "linearizability"};
  for (const auto& name : model_names()) {
    const Model* m = find_model(name);
    ASSERT_NE(m, nullptr) << name;
    EXPECT_EQ(m->invariants(), m->ledger() ? all : without_ledger) << name;
    EXPECT_EQ(has_ledger(name), m->ledger().has_value()) << name;
  }
  EXPECT_TRUE(has_ledger("account"));
  EXPECT_TRUE(has_ledger("inventory"));
  EXPECT_FALSE(has_ledger("kv"));
  EXPECT_FALSE(has_ledger("bank"));
}

TEST(InvariantRegistry, UnknownInvariantMessageListsTheRegistry) {
  CheckOptions o;
  o.model = "account";
  o.invariants = {"serializability"};
  try {
    check_operations({}, o);
    FAIL() << "accepted an unknown invariant";
  } catch (const CheckUsageError& e) {
    EXPECT_NE(std::string(e.what()).find("no-overdraft, conservation, idempotency, linearizability"),
              std::string::npos)
        << e.what();
  }
}

TEST(ModelRegistry, SharedInstancesDescribeTheirOperations) {
  EXPECT_EQ(find_model("account"), find_model("account"));
  EXPECT_EQ(find_model("bank"), nullptr);
  for (const auto& name : model_names()) {
    const Model* m = find_model(name);
    ASSERT_NE(m, nullptr) << name;
    EXPECT_EQ(m->name(), name);
    const std::vector<OpKind> ops = m->operations();
    ASSERT_FALSE(ops.empty()) << name;
    std::set<std::string> seen;
    bool any_read = false, any_write = false;
    for (const OpKind& k : ops) {
      EXPECT_TRUE(seen.insert(k.name).second) << name << ": " << k.name << " listed twice";
      EXPECT_FALSE(k.noun.empty()) << name << ": " << k.name;
      EXPECT_EQ(m->operation(k.name)->writes, k.writes);
      any_read = any_read || !k.writes;
      any_write = any_write || k.writes;
    }
    EXPECT_TRUE(any_read && any_write) << name;
    EXPECT_FALSE(m->operation("no-such-op").has_value());
    // A model whose state starts from the harness's setup op knows that op.
    if (const auto init = m->initial_state()) {
      EXPECT_TRUE(m->operation(init->op).has_value()) << name;
    }
  }
  EXPECT_EQ(find_model("account")->initial_state()->value_field, "balance");
  EXPECT_FALSE(find_model("register")->initial_state().has_value());
}

TEST(ModelRegistry, LedgerEffectsComeFromTheModel) {
  using K = LedgerEntry::Kind;
  std::vector<Operation> ops;
  add_op(ops, "transfer", {{"from", "a"}, {"to", "b"}, {"amount", 30}}, Outcome::Ok, nullptr, 0, 1);
  add_op(ops, "read", {{"account", "a"}}, Outcome::Ok, {{"balance", 70}}, 2, 3);
  add_op(ops, "reserve", {{"item", "x"}, {"quantity", 2}}, Outcome::Ok, nullptr, 0, 1);
  add_op(ops, "open", {{"account", 3}, {"balance", 5}}, Outcome::Ok, nullptr, 0, 1);
  const Model& account = *find_model("account");
  const Model& inventory = *find_model("inventory");
  const auto transfer = account.ledger_effect(ops[0]);
  ASSERT_EQ(transfer.size(), 2u);
  EXPECT_TRUE(transfer[0].kind == K::Delta && transfer[0].resource == "a" && transfer[0].amount == -30);
  EXPECT_TRUE(transfer[1].kind == K::Delta && transfer[1].resource == "b" && transfer[1].amount == 30);
  const auto read = account.ledger_effect(ops[1]);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_TRUE(read[0].kind == K::Observe && read[0].amount == 70);
  const auto reserve = inventory.ledger_effect(ops[2]);
  ASSERT_EQ(reserve.size(), 1u);
  EXPECT_TRUE(reserve[0].resource == "x" && reserve[0].amount == -2);
  // The harness names every resource "account", whatever the model.
  const auto open = inventory.ledger_effect(ops[3]);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_TRUE(open[0].kind == K::Set && open[0].resource == "3" && open[0].amount == 5);
  EXPECT_TRUE(find_model("kv")->ledger_effect(ops[0]).empty());
  EXPECT_EQ(account.ledger()->quantity, "balance");
  EXPECT_EQ(inventory.ledger()->resource, "item");
}

// A model outside the registry with a ledger of its own: conservation counts it
// in its own words, by asking the model rather than matching its name.
class WalletModel final : public Model {
 public:
  std::string name() const override { return "wallet"; }
  std::unique_ptr<SequentialSpec> prepare(const std::vector<Operation>&, const std::vector<int>&) const override {
    return nullptr;
  }
  std::vector<OpKind> operations() const override {
    return {{"spend", true, "purchase"}, {"check", false, "check"}};
  }
  std::optional<LedgerNouns> ledger() const override { return LedgerNouns{"wallet", "credit"}; }
  std::vector<LedgerEntry> ledger_effect(const Operation& op) const override {
    const std::string w = op.input.value("wallet", std::string());
    if (op.f == "spend") return {{LedgerEntry::Kind::Delta, w, -op.input.at("cost").get<std::int64_t>()}};
    if (op.f == "check" && op.outcome == Outcome::Ok)
      return {{LedgerEntry::Kind::Observe, w, op.output.at("credit").get<std::int64_t>()}};
    return {};
  }
};

TEST(ModelRegistry, ConservationSpeaksTheModelsLedger) {
  std::vector<Operation> ops;
  add_op(ops, "spend", {{"wallet", "w"}, {"cost", 10}}, Outcome::Ok, nullptr, 0, 10);
  add_op(ops, "spend", {{"wallet", "w"}, {"cost", 10}}, Outcome::Ok, nullptr, 0, 10);
  add_op(ops, "check", {{"wallet", "w"}}, Outcome::Ok, {{"credit", -10}}, 20, 30);
  const InvariantVerdict v = check_conservation(ops, WalletModel());
  ASSERT_EQ(v.status, Status::Fail) << v.summary;
  EXPECT_EQ(v.summary, "1 of 1 wallet(s) not conserved");
  ASSERT_EQ(v.violations.size(), 1u);
  EXPECT_EQ(v.violations[0].explanation.rfind("wallet 'w': 2 purchases of 10 succeeded from 0 but the credit fell by 10", 0),
            0u)
      << v.violations[0].explanation;
  ops[2].output = {{"credit", -20}};
  EXPECT_EQ(check_conservation(ops, WalletModel()).status, Status::Pass);
}

TEST(Docs, InvariantsAndModelsDocumentedAsRegistered) {
  const std::string doc = read_doc("docs/invariants.md");
  ASSERT_FALSE(doc.empty());
  for (const Invariant& i : all_invariants()) {
    EXPECT_NE(doc.find("**" + std::string(i.name) + "**"), std::string::npos) << i.name;
    EXPECT_NE(doc.find(i.description), std::string::npos) << i.name << ": " << i.description;
  }
  for (const auto& name : model_names()) EXPECT_NE(doc.find("`" + name + "`"), std::string::npos) << name;
}

}  // namespace
}  // namespace racecheck
