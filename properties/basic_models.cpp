#include "properties/basic_models.h"

#include <algorithm>
#include <unordered_map>

namespace racecheck {
namespace {

// Outcome kinds a step distinguishes.
enum class Seen : std::uint8_t { Ok, Fail, Unknown };

Seen seen_of(const Operation& op) {
  if (op.outcome == Outcome::Ok) return Seen::Ok;
  if (op.outcome == Outcome::Fail) return Seen::Fail;
  return Seen::Unknown;
}

// `{"value":V}` or a bare V (offline histories from other tools).
const json& value_field(const Operation& op, const json& j, const char* what) {
  if (j.is_object()) {
    auto it = j.find("value");
    if (it == j.end()) throw ModelInputError(op.id, std::string(what) + "/value", "missing");
    return *it;
  }
  return j;
}

// Interns JSON values so the register state is a small integer; nil (null) is 0.
class ValueTable {
 public:
  ValueTable() { ids_.emplace("null", 0); names_.push_back("nil"); }
  State intern(const json& v) {
    std::string key = v.dump();
    auto [it, inserted] = ids_.emplace(key, names_.size());
    if (inserted) names_.push_back(std::move(key));
    return it->second;
  }
  const std::string& name(State s) const { return names_.at(s); }

 private:
  std::unordered_map<std::string, State> ids_;
  std::vector<std::string> names_;
};

// Maps Operation ids to positions in a spec's step table without a table the
// size of the whole history (a history may have thousands of small partitions).
class OpIndex {
 public:
  explicit OpIndex(const std::vector<int>& subset) : ids_(subset) {
    std::sort(ids_.begin(), ids_.end());
    if (!ids_.empty()) {
      base_ = ids_.front();
      const std::size_t range = static_cast<std::size_t>(ids_.back() - base_) + 1;
      if (range <= 16 * ids_.size() + 1024) {
        dense_.assign(range, -1);
        for (std::size_t i = 0; i < ids_.size(); ++i) dense_[static_cast<std::size_t>(ids_[i] - base_)] = static_cast<int>(i);
      }
    }
  }
  std::size_t size() const { return ids_.size(); }
  std::size_t operator()(int id) const {
    if (!dense_.empty()) return static_cast<std::size_t>(dense_[static_cast<std::size_t>(id - base_)]);
    return static_cast<std::size_t>(std::lower_bound(ids_.begin(), ids_.end(), id) - ids_.begin());
  }

 private:
  std::vector<int> ids_;
  std::vector<int> dense_;
  int base_ = 0;
};

// ---------------------------------------------------------------------------
// register

enum class RegOp : std::uint8_t { Read, Write, Cas };

struct RegStep {
  RegOp kind = RegOp::Read;
  Seen seen = Seen::Unknown;
  State a = 0;  // write value / cas from / read result
  State b = 0;  // cas to
};

class RegisterSpec final : public SequentialSpec {
 public:
  RegisterSpec(const std::vector<Operation>& ops, const std::vector<int>& subset) : index_(subset), steps_(subset.size()) {
    for (int id : subset) {
      const Operation& op = ops.at(static_cast<std::size_t>(id));
      RegStep& s = steps_[index_(id)];
      s.seen = seen_of(op);
      if (op.f == "read") {
        s.kind = RegOp::Read;
        if (s.seen == Seen::Ok) s.a = values_.intern(value_field(op, op.output, "output"));
      } else if (op.f == "write") {
        s.kind = RegOp::Write;
        s.a = values_.intern(value_field(op, op.input, "input"));
      } else if (op.f == "cas") {
        s.kind = RegOp::Cas;
        const json& in = op.input;
        if (in.is_array() && in.size() == 2) {
          s.a = values_.intern(in[0]);
          s.b = values_.intern(in[1]);
        } else if (in.is_object() && in.contains("from") && in.contains("to")) {
          s.a = values_.intern(in["from"]);
          s.b = values_.intern(in["to"]);
        } else {
          throw ModelInputError(op.id, "input", "cas needs {\"from\":A,\"to\":B} or [A,B], got " + in.dump());
        }
      } else {
        throw ModelInputError(op.id, "f", "the register model knows read, write and cas, not '" + op.f + "'");
      }
    }
  }
  State init() override { return 0; }
  bool step(State s, int op_id, State* next) override {
    const RegStep& st = steps_[index_(op_id)];
    *next = s;
    switch (st.kind) {
      case RegOp::Read:
        return st.seen != Seen::Ok || s == st.a;
      case RegOp::Write:
        if (st.seen != Seen::Fail) *next = st.a;
        return true;
      case RegOp::Cas:
        if (st.seen == Seen::Fail) return s != st.a;
        if (s == st.a) {
          *next = st.b;
          return true;
        }
        return st.seen == Seen::Unknown;
    }
    return false;
  }
  std::string describe_state(State s) const override { return values_.name(s); }
  bool read_only(int op_id) const override {
    const RegStep& st = steps_[index_(op_id)];
    return st.kind == RegOp::Read || (st.seen == Seen::Fail);
  }

 private:
  OpIndex index_;
  std::vector<RegStep> steps_;
  ValueTable values_;
};

std::string short_value(const json& v) { return v.is_null() ? "nil" : v.dump(); }

std::string outcome_suffix(const Operation& op) {
  if (op.outcome == Outcome::Info) return " -> unknown";
  if (op.outcome == Outcome::Fail) return op.error.empty() ? " -> fail" : " -> fail (" + op.error + ")";
  return " -> ok";
}

class RegisterModel final : public Model {
 public:
  std::string name() const override { return "register"; }
  std::unique_ptr<SequentialSpec> prepare(const std::vector<Operation>& ops,
                                          const std::vector<int>& subset) const override {
    return std::make_unique<RegisterSpec>(ops, subset);
  }
  std::string describe_op(const Operation& op) const override {
    try {
      if (op.f == "read") {
        if (op.outcome == Outcome::Ok) return "read -> " + short_value(value_field(op, op.output, "output"));
        return "read" + outcome_suffix(op);
      }
      if (op.f == "write") return "write " + short_value(value_field(op, op.input, "input")) + outcome_suffix(op);
      if (op.f == "cas") {
        const json& in = op.input;
        const json from = in.is_array() ? in.at(0) : in.at("from");
        const json to = in.is_array() ? in.at(1) : in.at("to");
        return "cas " + short_value(from) + "->" + short_value(to) + outcome_suffix(op);
      }
    } catch (const std::exception&) {
    }
    return Model::describe_op(op);
  }
};

// ---------------------------------------------------------------------------
// counter

std::int64_t integer_field(const Operation& op, const json& v, const char* field) {
  if (!v.is_number_integer()) throw ModelInputError(op.id, field, "expected an integer, got " + v.dump());
  return v.get<std::int64_t>();
}

class CounterSpec final : public SequentialSpec {
 public:
  CounterSpec(const std::vector<Operation>& ops, const std::vector<int>& subset) : index_(subset), steps_(subset.size()) {
    for (int id : subset) {
      const Operation& op = ops.at(static_cast<std::size_t>(id));
      Step& s = steps_[index_(id)];
      s.seen = seen_of(op);
      if (op.f == "increment" || op.f == "add") {
        s.is_read = false;
        const json& in = op.input;
        if (in.is_null()) s.amount = 1;
        else if (in.is_object()) s.amount = in.contains("amount") ? integer_field(op, in["amount"], "input/amount") : 1;
        else s.amount = integer_field(op, in, "input");
      } else if (op.f == "read") {
        s.is_read = true;
        if (s.seen == Seen::Ok) s.amount = integer_field(op, value_field(op, op.output, "output"), "output/value");
      } else {
        throw ModelInputError(op.id, "f", "the counter model knows increment (or add) and read, not '" + op.f + "'");
      }
    }
  }
  State init() override { return 0; }
  bool step(State s, int op_id, State* next) override {
    const Step& st = steps_[index_(op_id)];
    *next = s;
    if (st.is_read) return st.seen != Seen::Ok || static_cast<std::int64_t>(s) == st.amount;
    if (st.seen != Seen::Fail) *next = static_cast<State>(static_cast<std::int64_t>(s) + st.amount);
    return true;
  }
  std::string describe_state(State s) const override {
    return std::to_string(static_cast<std::int64_t>(s));
  }
  bool read_only(int op_id) const override {
    const Step& st = steps_[index_(op_id)];
    return st.is_read || st.seen == Seen::Fail;
  }

 private:
  struct Step {
    bool is_read = true;
    Seen seen = Seen::Unknown;
    std::int64_t amount = 0;
  };
  OpIndex index_;
  std::vector<Step> steps_;
};

class CounterModel final : public Model {
 public:
  std::string name() const override { return "counter"; }
  std::unique_ptr<SequentialSpec> prepare(const std::vector<Operation>& ops,
                                          const std::vector<int>& subset) const override {
    return std::make_unique<CounterSpec>(ops, subset);
  }
};

// ---------------------------------------------------------------------------
// kv

std::string key_of(const Operation& op) {
  if (!op.input.is_object() || !op.input.contains("key"))
    throw ModelInputError(op.id, "input/key", "missing (kv ops need {\"key\":K,...})");
  const json& k = op.input["key"];
  return k.is_string() ? k.get<std::string>() : k.dump();
}

std::string string_field(const Operation& op, const json& v, const char* field) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  throw ModelInputError(op.id, field, "expected a string, got " + v.dump());
}

enum class KvOp : std::uint8_t { Get, Put, Append };

// One key's string register. A state is a node of a tree of appends (parent +
// appended piece), canonical per string content: equal strings get equal ids, so
// the search's cache prunes as if states were the strings themselves, but a step
// never copies a string. Transitions are memoized per (state, op).
class KvSpec final : public SequentialSpec {
 public:
  KvSpec(const std::vector<Operation>& ops, const std::vector<int>& subset) : index_(subset), steps_(subset.size()) {
    pieces_.emplace_back();  // piece 0: "" (the root's)
    nodes_.push_back({0, 0, 0, 0, 0});
    std::unordered_map<std::string, std::uint32_t> piece_ids{{"", 0}};
    auto piece = [&](std::string v) {
      auto [it, inserted] = piece_ids.emplace(v, static_cast<std::uint32_t>(pieces_.size()));
      if (inserted) pieces_.push_back(std::move(v));
      return it->second;
    };
    for (int id : subset) {
      const Operation& op = ops.at(static_cast<std::size_t>(id));
      Step& s = steps_[index_(id)];
      s.seen = seen_of(op);
      if (op.f == "get" || op.f == "read") {
        s.kind = KvOp::Get;
        if (s.seen == Seen::Ok) {
          const json& out = op.output;
          const json& v = out.is_object() ? (out.contains("value") ? out["value"] : throw ModelInputError(op.id, "output/value", "missing")) : out;
          s.piece = piece(string_field(op, v, "output/value"));
        }
      } else if (op.f == "put" || op.f == "append") {
        s.kind = op.f == "put" ? KvOp::Put : KvOp::Append;
        if (!op.input.is_object() || !op.input.contains("value"))
          throw ModelInputError(op.id, "input/value", "missing");
        s.piece = piece(string_field(op, op.input["value"], "input/value"));
      } else {
        throw ModelInputError(op.id, "f", "the kv model knows get, put and append, not '" + op.f + "'");
      }
    }
    piece_hash_.resize(pieces_.size());
    piece_pow_.resize(pieces_.size());
    for (std::size_t i = 0; i < pieces_.size(); ++i) {
      std::uint64_t h = 0, p = 1;
      for (unsigned char c : pieces_[i]) {
        h = h * kBase + c + 1;
        p *= kBase;
      }
      piece_hash_[i] = h;
      piece_pow_[i] = p;
    }
    memo_.assign(1024, MemoSlot{});
    piece_node_.assign(pieces_.size(), kIllegal);
  }
  State init() override { return 0; }
  bool step(State s, int op_id, State* next) override {
    const std::size_t local = index_(op_id);
    const Step& st = steps_[local];
    *next = s;
    if (st.seen == Seen::Fail && st.kind != KvOp::Get) return true;  // known not applied
    if (st.kind == KvOp::Get) {
      if (st.seen != Seen::Ok) return true;
      // States are canonical, so each observed string is at most one node: once
      // found, a get is an id comparison.
      State& known = piece_node_[st.piece];
      if (known != kIllegal) return s == known;
      if (!equals_piece(s, st.piece)) return false;
      known = s;
      return true;
    }
    const std::uint64_t key = ((s << 32) | st.piece) + 1;
    std::size_t i = mix(key) & (memo_.size() - 1);
    while (memo_[i].key != 0) {
      if (memo_[i].key == key) {
        if (memo_[i].value == kIllegal) return false;
        *next = memo_[i].value;
        return true;
      }
      i = (i + 1) & (memo_.size() - 1);
    }
    State result = kIllegal;
    switch (st.kind) {
      case KvOp::Get:
        result = equals_piece(s, st.piece) ? s : kIllegal;
        break;
      case KvOp::Put:
        result = child(0, st.piece);
        break;
      case KvOp::Append:
        result = child(s, st.piece);
        break;
    }
    remember(key, result);
    if (result == kIllegal) return false;
    *next = result;
    return true;
  }
  std::string describe_state(State s) const override { return json(materialize(s)).dump(); }
  bool read_only(int op_id) const override {
    const Step& st = steps_[index_(op_id)];
    return st.kind == KvOp::Get || st.seen == Seen::Fail;
  }

 private:
  static constexpr std::uint64_t kBase = 0x100000001B3ull;
  static constexpr State kIllegal = ~State{0};

  struct Node {
    std::uint32_t parent;
    std::uint32_t piece;
    std::uint64_t hash;      // polynomial hash of the whole string
    std::uint64_t length;
    std::uint32_t same_hash; // next node with the same hash + 1 (0: none)
  };
  struct Step {
    KvOp kind = KvOp::Get;
    Seen seen = Seen::Unknown;
    std::uint32_t piece = 0;
  };
  struct MemoSlot {
    std::uint64_t key = 0;
    State value = 0;
  };

  static std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
  }

  void remember(std::uint64_t key, State value) {
    if ((memo_count_ + 1) * 2 > memo_.size()) {
      std::vector<MemoSlot> bigger(memo_.size() * 2);
      for (const MemoSlot& m : memo_) {
        if (m.key == 0) continue;
        std::size_t j = mix(m.key) & (bigger.size() - 1);
        while (bigger[j].key != 0) j = (j + 1) & (bigger.size() - 1);
        bigger[j] = m;
      }
      memo_.swap(bigger);
    }
    std::size_t i = mix(key) & (memo_.size() - 1);
    while (memo_[i].key != 0) i = (i + 1) & (memo_.size() - 1);
    memo_[i] = {key, value};
    ++memo_count_;
  }

  std::string materialize(State s) const {
    std::vector<std::uint32_t> chain;
    for (State n = s; n != 0; n = nodes_[n].parent) chain.push_back(nodes_[n].piece);
    std::string out;
    out.reserve(nodes_[s].length);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) out += pieces_[*it];
    return out;
  }

  bool equals_piece(State s, std::uint32_t piece) const {
    if (nodes_[s].length != pieces_[piece].size() || nodes_[s].hash != piece_hash_[piece]) return false;
    return materialize(s) == pieces_[piece];
  }

  // The canonical state for string(s) + pieces_[piece].
  State child(State s, std::uint32_t piece) {
    if (piece == 0) return s;
    const std::uint64_t hash = nodes_[s].hash * piece_pow_[piece] + piece_hash_[piece];
    const std::uint64_t length = nodes_[s].length + pieces_[piece].size();
    auto it = by_hash_.find(hash);
    std::string wanted;
    if (it != by_hash_.end()) {
      wanted = materialize(s) + pieces_[piece];
      for (std::uint32_t n = it->second; n != 0; n = nodes_[n - 1].same_hash) {
        if (nodes_[n - 1].length == length && materialize(n - 1) == wanted) return n - 1;
      }
    }
    const std::uint32_t id = static_cast<std::uint32_t>(nodes_.size());
    nodes_.push_back({static_cast<std::uint32_t>(s), piece, hash, length, it != by_hash_.end() ? it->second : 0});
    by_hash_[hash] = id + 1;
    return id;
  }

  OpIndex index_;
  std::vector<Step> steps_;
  std::vector<std::string> pieces_;
  std::vector<std::uint64_t> piece_hash_, piece_pow_;
  std::vector<Node> nodes_;
  std::unordered_map<std::uint64_t, std::uint32_t> by_hash_;  // hash -> newest node + 1
  std::vector<MemoSlot> memo_;
  std::size_t memo_count_ = 0;
  std::vector<State> piece_node_;  // the node whose string is this piece (kIllegal: not met yet)
};

class KvModel final : public Model {
 public:
  std::string name() const override { return "kv"; }
  std::vector<std::vector<int>> partition(const std::vector<Operation>& ops) const override {
    std::unordered_map<std::string, std::size_t> index;
    std::vector<std::vector<int>> parts;
    for (const Operation& op : ops) {
      auto [it, inserted] = index.emplace(key_of(op), parts.size());
      if (inserted) parts.emplace_back();
      parts[it->second].push_back(op.id);
    }
    return parts;
  }
  std::unique_ptr<SequentialSpec> prepare(const std::vector<Operation>& ops,
                                          const std::vector<int>& subset) const override {
    return std::make_unique<KvSpec>(ops, subset);
  }
  std::string describe_op(const Operation& op) const override {
    try {
      const std::string key = key_of(op);
      if (op.f == "get" || op.f == "read") {
        if (op.outcome == Outcome::Ok) {
          const json& v = op.output.is_object() ? op.output.at("value") : op.output;
          return "get " + key + " -> " + (v.is_null() ? std::string("\"\"") : v.dump());
        }
        return "get " + key + outcome_suffix(op);
      }
      return op.f + " " + key + " " + op.input.at("value").dump() + outcome_suffix(op);
    } catch (const std::exception&) {
    }
    return Model::describe_op(op);
  }
};

}  // namespace

std::unique_ptr<Model> make_register_model() { return std::make_unique<RegisterModel>(); }
std::unique_ptr<Model> make_counter_model() { return std::make_unique<CounterModel>(); }
std::unique_ptr<Model> make_kv_model() { return std::make_unique<KvModel>(); }

}  // namespace racecheck
