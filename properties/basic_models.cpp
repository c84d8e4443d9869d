#include "properties/basic_models.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <string_view>
#include <unordered_map>

#include "properties/model_kit.h"
#include "properties/op_fields.h"

namespace racecheck {
namespace {

// Outcome kinds a step distinguishes.
enum class Seen : std::uint8_t { Ok, Fail, Unknown };

Seen seen_of(const Operation& op) {
  if (op.outcome == Outcome::Ok) return Seen::Ok;
  if (op.outcome == Outcome::Fail) return Seen::Fail;
  return Seen::Unknown;
}

// Field names as strings made once: json lookups by a string literal build a
// std::string on every call, and setup does several per op.
const std::string kValueField = "value";
const std::string kKeyField = "key";

// `{"value":V}` or a bare V (offline histories from other tools).
const json& value_field(const Operation& op, const json& j, const char* what) {
  if (j.is_object()) {
    auto it = j.find(kValueField);
    if (it == j.end()) throw ModelInputError(op.id, std::string(what) + "/value", "missing");
    return *it;
  }
  return j;
}

// Interns JSON values so the register state is a small integer; nil (null) is 0.
// Values are equal when their JSON spellings are (1 and 1.0 differ). Integers and
// strings, nearly every value in practice, are looked up without being spelled.
class ValueTable {
 public:
  ValueTable() { names_.push_back("nil"); }
  State intern(const json& v) {
    if (v.is_null()) return 0;
    if (v.is_number_integer() && (v.is_number_unsigned() ? v.get<std::uint64_t>() <= INT64_MAX : true)) {
      const std::int64_t i = v.get<std::int64_t>();
      auto it = integers_.find(i);
      if (it != integers_.end()) return it->second;
      return integers_.emplace(i, add(v)).first->second;
    }
    if (v.is_string()) {
      const std::string& str = v.get_ref<const std::string&>();
      auto it = strings_.find(str);
      if (it != strings_.end()) return it->second;
      return strings_.emplace(str, add(v)).first->second;
    }
    std::string key = v.dump();
    auto it = others_.find(key);
    if (it != others_.end()) return it->second;
    const State id = names_.size();
    names_.push_back(key);
    return others_.emplace(std::move(key), id).first->second;
  }
  const std::string& name(State s) const { return names_.at(s); }

 private:
  State add(const json& v) {
    names_.push_back(v.dump());
    return names_.size() - 1;
  }
  std::unordered_map<std::int64_t, State> integers_;
  std::unordered_map<std::string, State> strings_;
  std::unordered_map<std::string, State> others_;  // by JSON spelling
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
    // A cas from A to A leaves A wherever it is legal, whatever its outcome.
    return st.kind == RegOp::Read || (st.seen == Seen::Fail) || (st.kind == RegOp::Cas && st.a == st.b);
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

class RegisterModel final : public SpecModel<RegisterSpec> {
 public:
  RegisterModel()
      : SpecModel<RegisterSpec>("register", {{"read", false, "read"}, {"write", true, "write"}, {"cas", true, "cas"}}) {}
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
  // nlohmann counts unsigned numbers as integers: one above 2^63-1 would read negative.
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    throw ModelInputError(op.id, field, "integer out of range (above 2^63-1): " + v.dump());
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
    if (st.seen != Seen::Fail)
      *next = static_cast<State>(
          fields::checked_add(static_cast<std::int64_t>(s), st.amount, op_id, "increment: counter + amount"));
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

// ---------------------------------------------------------------------------
// kv

const json& kv_key(const Operation& op) {
  if (op.input.is_object()) {
    auto it = op.input.find(kKeyField);
    if (it != op.input.end()) return *it;
  }
  throw ModelInputError(op.id, "input/key", "missing (kv ops need {\"key\":K,...})");
}

std::string key_of(const Operation& op) {
  const json& k = kv_key(op);
  return k.is_string() ? k.get<std::string>() : k.dump();
}

// A view of the op's own string (valid while the op lives); null is "". An
// integer is its decimal text (held in *spelled): a store of strings keeps a
// written 5 as "5", and the harness generates integer values.
std::string_view string_field(const Operation& op, const json& v, const char* field, std::string* spelled) {
  if (v.is_null()) return {};
  if (v.is_string()) return v.get_ref<const std::string&>();
  if (v.is_number_integer()) return *spelled = v.dump();
  throw ModelInputError(op.id, field, "expected a string, got " + v.dump());
}

enum class KvOp : std::uint8_t { Get, Put, Append };

// One key's string register.
//
// Why states are trie nodes: a get can only ever observe one of the strings some
// get of this key did observe. A state that is no prefix of any observed string
// stays so under appends, so from it every completed get fails until a put; all
// such states behave alike in every future and are merged into one, `dead_`.
// Every other state is a prefix of an observed string: a node of the trie of the
// observed strings. So the search's cache merges configurations that differ only
// in strings nobody can tell apart, equal strings get equal ids, a get is one
// comparison, and an append is a memoized walk down the trie. Exact: two merged
// states accept exactly the same futures.
class KvSpec final : public SequentialSpec {
 public:
  KvSpec(const std::vector<Operation>& ops, const std::vector<int>& subset) : index_(subset), steps_(subset.size()) {
    trie_.push_back({});  // the root: ""
    for (int id : subset) {
      const Operation& op = ops.at(static_cast<std::size_t>(id));
      Step& s = steps_[index_(id)];
      s.seen = seen_of(op);
      if (op.f == "get" || op.f == "read") {
        s.kind = KvOp::Get;
        if (s.seen == Seen::Ok) {
          std::string spelled;
          s.target = insert(string_field(op, value_field(op, op.output, "output"), "output/value", &spelled));
        }
      } else if (op.f == "put" || op.f == "append") {
        s.kind = op.f == "put" ? KvOp::Put : KvOp::Append;
        if (!op.input.is_object()) throw ModelInputError(op.id, "input/value", "missing");
        std::string spelled;
        const std::string_view v = string_field(op, value_field(op, op.input, "input"), "input/value", &spelled);
        s.piece_begin = static_cast<std::uint32_t>(piece_chars_.size());
        s.piece_size = static_cast<std::uint32_t>(v.size());
        piece_chars_ += v;
      } else {
        throw ModelInputError(op.id, "f", "the kv model knows get, put and append, not '" + op.f + "'");
      }
    }
    // Only now is the trie complete: walks may start.
    dead_ = trie_.size();
    for (Step& s : steps_)
      if (s.kind == KvOp::Put) s.target = walk(0, s);
  }
  State init() override { return 0; }
  bool step(State s, int op_id, State* next) override {
    const std::size_t local = index_(op_id);
    const Step& st = steps_[local];
    *next = s;
    switch (st.kind) {
      case KvOp::Get:
        return st.seen != Seen::Ok || s == st.target;
      case KvOp::Put:
        if (st.seen != Seen::Fail) *next = st.target;
        return true;
      case KvOp::Append:
        if (st.seen != Seen::Fail && s != dead_) *next = append(s, local);
        return true;
    }
    return false;
  }
  std::string describe_state(State s) const override {
    if (s == dead_) return "(a value no get observed a prefix of)";
    return json(spell(s)).dump();
  }
  // The exact strings (describe_state cannot spell the merged dead states).
  std::vector<std::string> describe_run(const std::vector<int>& op_ids) override {
    std::vector<std::string> out;
    std::string value;
    out.push_back(json(value).dump());
    for (int id : op_ids) {
      const Step& st = steps_[index_(id)];
      if (st.kind != KvOp::Get && st.seen != Seen::Fail) {
        const std::string_view piece(piece_chars_.data() + st.piece_begin, st.piece_size);
        if (st.kind == KvOp::Put) value.assign(piece);
        else value.append(piece);
      }
      out.push_back(json(value).dump());
    }
    return out;
  }
  bool read_only(int op_id) const override {
    const Step& st = steps_[index_(op_id)];
    return st.kind == KvOp::Get || st.seen == Seen::Fail;
  }

 private:
  struct TrieNode {
    std::uint32_t first_child = 0;  // 0: none (the root is nobody's child)
    std::uint32_t next_sibling = 0;
    std::uint32_t parent = 0;
    char c = 0;
  };
  struct Step {
    KvOp kind = KvOp::Get;
    Seen seen = Seen::Unknown;
    std::uint32_t piece_begin = 0;  // put/append value: piece_chars_[begin, begin + size)
    std::uint32_t piece_size = 0;
    State target = 0;               // get: the observed string's node; put: the value's node
  };
  struct MemoSlot {
    std::uint64_t key = 0;  // (state << 32 | local op) + 1; 0 = empty
    State value = 0;
  };

  std::uint32_t child(std::uint32_t node, char c) const {
    for (std::uint32_t k = trie_[node].first_child; k != 0; k = trie_[k].next_sibling)
      if (trie_[k].c == c) return k;
    return 0;
  }

  std::uint32_t insert(std::string_view v) {
    std::uint32_t node = 0;
    for (char c : v) {
      std::uint32_t k = child(node, c);
      if (k == 0) {
        k = static_cast<std::uint32_t>(trie_.size());
        trie_.push_back({0, trie_[node].first_child, node, c});
        trie_[node].first_child = k;
      }
      node = k;
    }
    return node;
  }

  // The state for string(node) + the op's value.
  State walk(std::uint32_t node, const Step& st) const {
    for (std::uint32_t i = 0; i < st.piece_size; ++i) {
      node = child(node, piece_chars_[st.piece_begin + i]);
      if (node == 0) return dead_;
    }
    return node;
  }

  static std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
  }

  State append(State s, std::size_t local) {
    const std::uint64_t key = ((s << 32) | local) + 1;
    if (memo_.empty()) memo_.resize(16);
    std::size_t mask = memo_.size() - 1;
    std::size_t i = mix(key) & mask;
    while (memo_[i].key != 0) {
      if (memo_[i].key == key) return memo_[i].value;
      i = (i + 1) & mask;
    }
    const State result = walk(static_cast<std::uint32_t>(s), steps_[local]);
    if ((memo_count_ + 1) * 2 > memo_.size()) {
      std::vector<MemoSlot> bigger(memo_.size() * 2);
      mask = bigger.size() - 1;
      for (const MemoSlot& m : memo_) {
        if (m.key == 0) continue;
        std::size_t j = mix(m.key) & mask;
        while (bigger[j].key != 0) j = (j + 1) & mask;
        bigger[j] = m;
      }
      memo_.swap(bigger);
      i = mix(key) & mask;
      while (memo_[i].key != 0) i = (i + 1) & mask;
    }
    memo_[i] = {key, result};
    ++memo_count_;
    return result;
  }

  std::string spell(State s) const {
    std::string out;
    for (std::uint32_t n = static_cast<std::uint32_t>(s); n != 0; n = trie_[n].parent) out += trie_[n].c;
    std::reverse(out.begin(), out.end());
    return out;
  }

  OpIndex index_;
  std::vector<Step> steps_;
  std::string piece_chars_;     // every put/append value, back to back
  std::vector<TrieNode> trie_;  // the observed strings; node 0 is ""
  State dead_ = 0;              // the merged state of every string no get observed a prefix of
  std::vector<MemoSlot> memo_;  // append transitions
  std::size_t memo_count_ = 0;
};

class KvModel final : public SpecModel<KvSpec> {
 public:
  KvModel()
      : SpecModel<KvSpec>("kv", {{"get", false, "get"}, {"read", false, "read"}, {"put", true, "put"},
                                 {"append", true, "append"}}) {}
  std::optional<std::string> key_field() const override { return kKeyField; }
  std::vector<std::vector<int>> partition(const std::vector<Operation>& ops) const override {
    // Keys are views of the ops' own strings; only non-string keys are spelled out.
    std::deque<std::string> spelled;
    std::unordered_map<std::string_view, std::size_t> index;
    std::vector<std::vector<int>> parts;
    for (const Operation& op : ops) {
      const json& k = kv_key(op);
      const std::string_view key = k.is_string() ? std::string_view(k.get_ref<const std::string&>())
                                                 : std::string_view(spelled.emplace_back(k.dump()));
      auto [it, inserted] = index.emplace(key, parts.size());
      if (inserted) parts.emplace_back();
      parts[it->second].push_back(op.id);
    }
    return parts;
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
std::unique_ptr<Model> make_counter_model() {
  return std::make_unique<SpecModel<CounterSpec>>(
      "counter", std::vector<OpKind>{{"increment", true, "increment"}, {"add", true, "addition"}, {"read", false, "read"}});
}
std::unique_ptr<Model> make_kv_model() { return std::make_unique<KvModel>(); }

}  // namespace racecheck
