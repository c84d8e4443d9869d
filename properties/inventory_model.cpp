#include "properties/inventory_model.h"

#include <map>

#include "properties/model_kit.h"
#include "properties/op_fields.h"

namespace racecheck {
namespace {

enum class Kind : std::uint8_t { Open, Stock, Reserve, Release, Read };

struct InventoryOp {
  int id = -1;  // Operation::id, for overflow messages
  Kind kind = Kind::Read;
  Outcome outcome = Outcome::Info;
  bool business_refusal = false;
  std::string item;
  std::int64_t quantity = 0;
  std::optional<std::int64_t> stock;  // observed available stock after the op
};

InventoryOp decode(const Operation& op) {
  InventoryOp v;
  v.id = op.id;
  if (op.f == "open") v.kind = Kind::Open;  // setup: the item's initial stock ("balance")
  else if (op.f == "stock") v.kind = Kind::Stock;
  else if (op.f == "reserve") v.kind = Kind::Reserve;
  else if (op.f == "release") v.kind = Kind::Release;
  else if (op.f == "read") v.kind = Kind::Read;
  else
    throw ModelInputError(op.id, "f", "unknown inventory operation '" + op.f +
                                          "' (expected open, stock, reserve, release or read)");
  v.item = fields::resource_arg(op, "item");
  if (v.kind == Kind::Open) v.quantity = fields::required_int(op, op.input, "balance");
  else if (v.kind != Kind::Read) v.quantity = fields::required_amount(op, "quantity");
  v.outcome = op.outcome;
  if (op.outcome == Outcome::Ok) {
    v.stock = fields::optional_int(op, op.output, "stock");
    if (v.kind == Kind::Read && !v.stock)
      throw ModelInputError(op.id, "stock", "an ok read must return the stock in its output");
  }
  v.business_refusal = op.outcome == Outcome::Fail && v.kind == Kind::Reserve &&
                       fields::is_business_refusal(op.error, {"out-of-stock", "insufficient-stock"});
  return v;
}

struct Level {
  std::int64_t available = 0;
  std::int64_t reserved = 0;
  auto operator<=>(const Level&) const = default;
};

class InventorySpec final : public SequentialSpec {
 public:
  InventorySpec(const std::vector<Operation>& ops, const std::vector<int>& subset) : decoded_(ops.size()) {
    for (int id : subset) decoded_[id] = decode(ops.at(id));
    intern(Level{});
  }

  State init() override { return 0; }

  bool step(State s, int op_id, State* next) override {
    const InventoryOp& v = decoded_[op_id];
    Level l = levels_.at(s);
    const bool applied = v.outcome == Outcome::Ok;
    const bool maybe = v.outcome == Outcome::Info;
    switch (v.kind) {
      case Kind::Open:
        l = Level{v.quantity, 0};
        break;
      case Kind::Stock:
        if (applied || maybe) l.available = fields::checked_add(l.available, v.quantity, v.id, "restock: stock + quantity");
        break;
      case Kind::Reserve: {
        const bool enough = l.available >= v.quantity;
        if (v.business_refusal) {
          if (enough) return false;  // refused while the stock was there
        } else if (applied || (maybe && enough)) {
          if (!enough) return false;  // oversell
          l.available = fields::checked_sub(l.available, v.quantity, v.id, "reservation: stock - quantity");
          l.reserved = fields::checked_add(l.reserved, v.quantity, v.id, "reservation: reserved + quantity");
        }
        break;
      }
      case Kind::Release: {
        const bool held = l.reserved >= v.quantity;
        if (applied || (maybe && held)) {
          if (!held) return false;  // released more than was reserved
          l.reserved = fields::checked_sub(l.reserved, v.quantity, v.id, "release: reserved - quantity");
          l.available = fields::checked_add(l.available, v.quantity, v.id, "release: stock + quantity");
        }
        break;
      }
      case Kind::Read:
        break;
    }
    if (applied && v.stock && *v.stock != l.available) return false;
    *next = intern(l);
    return true;
  }

  std::string describe_state(State s) const override {
    const Level& l = levels_.at(s);
    return "available " + std::to_string(l.available) + ", reserved " + std::to_string(l.reserved);
  }

 private:
  State intern(const Level& l) {
    auto [it, inserted] = ids_.try_emplace(l, levels_.size());
    if (inserted) levels_.push_back(l);
    return it->second;
  }

  std::vector<InventoryOp> decoded_;
  std::vector<Level> levels_;
  std::map<Level, State> ids_;
};

class InventoryModel final : public LedgerModel<InventorySpec> {
 public:
  InventoryModel()
      : LedgerModel<InventorySpec>("inventory", {{"open", true, "opening"}, {"stock", true, "restock"},
                    {"reserve", true, "reservation"}, {"release", true, "release"}, {"read", false, "read"}},
                    {"item", "stock"}) {}

  std::vector<std::vector<int>> partition(const std::vector<Operation>& ops) const override {
    return partition_by_key(ops, [](const Operation& op) { return decode(op).item; });
  }

  std::string describe_op(const Operation& op) const override {
    return describe_or_generic(op, [&] {
      const InventoryOp v = decode(op);
      std::string s = op.f;
      if (v.kind != Kind::Read) s += " " + std::to_string(v.quantity);
      if (!v.item.empty()) {
        s += v.kind == Kind::Read ? " " : " of ";
        s += v.item;
      }
      return s + outcome_text(op, v.stock ? "stock " + std::to_string(*v.stock) : "");
    });
  }

  // Available stock: releases give back, reservations take.
  std::vector<LedgerEntry> effect_of_known_op(const Operation& op) const override {
    using K = LedgerEntry::Kind;
    const InventoryOp v = decode(op);
    switch (v.kind) {
      case Kind::Open: return {{K::Set, v.item, v.quantity}};
      case Kind::Stock:
      case Kind::Release: return {{K::Delta, v.item, v.quantity}};
      case Kind::Reserve: return {{K::Delta, v.item, -v.quantity}};
      case Kind::Read:
        if (op.outcome == Outcome::Ok) return {{K::Observe, v.item, *v.stock}};
        return {};
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<Model> make_inventory_model() { return std::make_unique<InventoryModel>(); }

}  // namespace racecheck
