#include "properties/history.h"

#include "util/bounded_json.h"
#include "util/text.h"

#include <charconv>
#include <unordered_map>

namespace racecheck {

std::string_view to_string(EventType t) {
  switch (t) {
    case EventType::Invoke: return "invoke";
    case EventType::Ok: return "ok";
    case EventType::Fail: return "fail";
    case EventType::Info: return "info";
  }
  return "?";
}

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::Ok: return "ok";
    case Outcome::Fail: return "fail";
    case Outcome::Info: return "info";
  }
  return "?";
}

namespace {

std::string history_error_message(std::int64_t line, const std::string& field,
                                  const std::string& reason) {
  std::string msg;
  if (line > 0) msg += "line " + std::to_string(line) + ": ";
  if (!field.empty()) msg += "field '/" + field + "': ";
  msg += reason;
  return msg;
}

bool parse_event_type(std::string_view s, EventType* out) {
  if (s == "invoke") *out = EventType::Invoke;
  else if (s == "ok") *out = EventType::Ok;
  else if (s == "fail") *out = EventType::Fail;
  else if (s == "info") *out = EventType::Info;
  else return false;
  return true;
}

// Reads an optional integer field; throws HistoryError when present with a wrong type.
template <typename Int>
void read_int(const json& j, const char* field, Int* out) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return;
  if (!it->is_number_integer()) throw HistoryError(0, field, "expected an integer, got " + it->dump());
  // An unsigned value above INT64_MAX would wrap to a negative one (2^64-1 -> -1, "no clock").
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    throw HistoryError(0, field, "integer out of range: " + it->dump());
  const auto v = it->get<std::int64_t>();
  if (v < static_cast<std::int64_t>(std::numeric_limits<Int>::min()) ||
      v > static_cast<std::int64_t>(std::numeric_limits<Int>::max()))
    throw HistoryError(0, field, "integer out of range: " + it->dump());
  *out = static_cast<Int>(v);
}

void read_string(const json& j, const char* field, std::string* out) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return;
  if (!it->is_string()) throw HistoryError(0, field, "expected a string, got " + it->dump());
  *out = it->get<std::string>();
}

}  // namespace

HistoryError::HistoryError(std::int64_t line_number, std::string field_name, std::string why)
    : std::runtime_error(history_error_message(line_number, field_name, why)),
      line(line_number),
      field(std::move(field_name)),
      reason(std::move(why)) {}

json event_to_json(const Event& e) {
  json j = json::object();
  j["index"] = e.index;
  j["process"] = e.process;
  j["type"] = std::string(to_string(e.type));
  j["f"] = escape_invalid_utf8(e.f);
  j["value"] = e.value;
  if (!e.key.empty()) j["key"] = escape_invalid_utf8(e.key);
  if (!e.op.empty()) j["op"] = escape_invalid_utf8(e.op);
  if (!e.key.empty() || e.attempt != 1) j["attempt"] = e.attempt;
  if (e.instance != 0) j["instance"] = e.instance;
  if (e.status != 0) j["status"] = e.status;
  if (!e.body.empty()) {
    if (is_valid_utf8(e.body)) j["body"] = e.body;
    else j["body_base64"] = base64_encode(e.body);
  }
  if (e.body_truncated) j["body_truncated"] = true;
  if (!e.error.empty()) j["error"] = escape_invalid_utf8(e.error);
  if (e.time_ns >= 0) j["time_ns"] = e.time_ns;
  if (e.sent_ns >= 0) j["sent_ns"] = e.sent_ns;
  if (!e.release.empty()) j["release"] = escape_invalid_utf8(e.release);
  if (!e.protocol.empty()) j["protocol"] = escape_invalid_utf8(e.protocol);
  if (!e.steps.is_null()) j["steps"] = e.steps;
  if (!e.invalid.is_null()) j["invalid"] = e.invalid;
  if (!e.read_as.is_null()) j["read_as"] = e.read_as;
  if (e.trial > 0) j["trial"] = e.trial;
  return j;
}

Event event_from_json(const json& j) {
  if (!j.is_object()) throw HistoryError(0, "", "an event must be a JSON object, got " + j.dump());
  Event e;
  read_int(j, "index", &e.index);

  if (!j.contains("process")) throw HistoryError(0, "process", "missing (the client id, an integer)");
  read_int(j, "process", &e.process);

  auto type = j.find("type");
  if (type == j.end()) throw HistoryError(0, "type", "missing (invoke, ok, fail or info)");
  if (!type->is_string() || !parse_event_type(type->get<std::string>(), &e.type))
    throw HistoryError(0, "type", "expected one of invoke, ok, fail, info; got " + type->dump());

  auto f = j.find("f");
  if (f == j.end()) throw HistoryError(0, "f", "missing (the operation name)");
  if (!f->is_string() || f->get<std::string>().empty())
    throw HistoryError(0, "f", "expected a non-empty string, got " + f->dump());
  e.f = f->get<std::string>();

  if (auto v = j.find("value"); v != j.end()) e.value = *v;
  read_string(j, "key", &e.key);
  read_string(j, "op", &e.op);
  read_int(j, "attempt", &e.attempt);
  if (e.attempt < 1) throw HistoryError(0, "attempt", "must be >= 1, got " + std::to_string(e.attempt));
  read_int(j, "instance", &e.instance);
  if (e.instance < 0) throw HistoryError(0, "instance", "must be >= 0");
  read_int(j, "status", &e.status);
  read_string(j, "body", &e.body);
  if (auto b = j.find("body_base64"); b != j.end() && !b->is_null()) {
    if (j.contains("body")) throw HistoryError(0, "body_base64", "given together with body (a body is one or the other)");
    if (!b->is_string() || !base64_decode(b->get_ref<const std::string&>(), &e.body))
      throw HistoryError(0, "body_base64", "expected base64 text (RFC 4648, padded), got " + b->dump().substr(0, 80));
  }
  if (auto t = j.find("body_truncated"); t != j.end()) {
    if (!t->is_boolean()) throw HistoryError(0, "body_truncated", "expected true or false, got " + t->dump());
    e.body_truncated = t->get<bool>();
  }
  read_string(j, "error", &e.error);
  read_int(j, "time_ns", &e.time_ns);
  if (e.time_ns < -1) throw HistoryError(0, "time_ns", "must be >= 0 (or -1 for no clock)");
  read_int(j, "sent_ns", &e.sent_ns);
  read_string(j, "release", &e.release);
  read_string(j, "protocol", &e.protocol);
  read_int(j, "trial", &e.trial);
  if (auto steps = j.find("steps"); steps != j.end() && !steps->is_null()) {
    if (!steps->is_array()) throw HistoryError(0, "steps", "expected an array of step records, got " + steps->dump().substr(0, 80));
    for (const json& step : *steps) {
      if (!step.is_object()) throw HistoryError(0, "steps", "expected each step to be an object, got " + step.dump().substr(0, 80));
    }
    e.steps = *steps;
  }
  if (auto invalid = j.find("invalid"); invalid != j.end() && !invalid->is_null()) {
    if (!invalid->is_object()) throw HistoryError(0, "invalid", "expected an object argument -> reason, got " + invalid->dump().substr(0, 80));
    for (const auto& item : invalid->items()) {
      if (!item.value().is_string())
        throw HistoryError(0, "invalid", "expected the reason for \"" + item.key() + "\" to be a string, got " + item.value().dump().substr(0, 80));
    }
    e.invalid = *invalid;
  }
  if (auto read_as = j.find("read_as"); read_as != j.end() && !read_as->is_null()) {
    if (!read_as->is_object()) throw HistoryError(0, "read_as", "expected an object argument -> integer, got " + read_as->dump().substr(0, 80));
    for (const auto& item : read_as->items()) {
      if (!item.value().is_number_integer())
        throw HistoryError(0, "read_as", "expected \"" + item.key() + "\" to be an integer, got " + item.value().dump().substr(0, 80));
    }
    e.read_as = *read_as;
  }
  if (e.trial < 0) throw HistoryError(0, "trial", "must be >= 1 (or absent), got " + std::to_string(e.trial));
  return e;
}

ParsedHistory parse_history_jsonl(std::string_view text) {
  ParsedHistory out;
  std::int64_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    ++line_no;
    const std::size_t nl = text.find('\n', pos);
    const bool terminated = nl != std::string_view::npos;
    std::string_view line = text.substr(pos, terminated ? nl - pos : std::string_view::npos);
    pos = terminated ? nl + 1 : text.size();
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;

    bool too_deep = false;
    json j = parse_bounded_json(line, &too_deep);
    if (too_deep) throw HistoryError(line_no, "", "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    if (j.is_discarded()) {
      // A killed run leaves its last line half-written: drop it, say so, keep the rest.
      if (!terminated) {
        out.truncated_tail = true;
        break;
      }
      throw HistoryError(line_no, "", "not valid JSON");
    }
    try {
      Event e = event_from_json(j);
      e.index = static_cast<std::int64_t>(out.events.size());
      out.events.push_back(std::move(e));
    } catch (const HistoryError& err) {
      throw HistoryError(line_no, err.field, err.reason);
    }
  }
  return out;
}

namespace {

// Replace invalid UTF-8 (e.g. a truncated response body) instead of throwing.
std::string dump_json(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Appends s as a JSON string, byte for byte what nlohmann's dump writes: ASCII
// is escaped here; a string with any byte >= 0x80 goes to nlohmann itself
// (UTF-8 validation, U+FFFD for invalid bytes).
void append_json_string(std::string& out, const std::string& s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      out += dump_json(json(escape_invalid_utf8(s)));
      return;
    }
  }
  out += '"';
  std::size_t plain_from = 0;  // runs of characters that need no escape are copied whole
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) continue;
    out.append(s, plain_from, i - plain_from);
    plain_from = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out += kHex[(c >> 4) & 0xf];
        out += kHex[c & 0xf];
      }
    }
  }
  out.append(s, plain_from, std::string::npos);
  out += '"';
}

// One JSONL object, built field by field in the order given.
class LineWriter {
 public:
  explicit LineWriter(std::size_t reserve) {
    out_.reserve(reserve);
    out_ += '{';
  }
  void integer(const char* name, std::int64_t v) {
    key(name);
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
    out_.append(digits, end);
  }
  void string(const char* name, const std::string& v) {
    key(name);
    append_json_string(out_, v);
  }
  // A string known to need no escaping (an event type's name).
  void word(const char* name, std::string_view v) {
    key(name);
    out_ += '"';
    out_ += v;
    out_ += '"';
  }
  void raw(const char* name, std::string_view json_text) {
    key(name);
    out_ += json_text;
  }
  std::string finish() {
    out_ += "}\n";
    return std::move(out_);
  }

 private:
  void key(const char* name) {
    if (out_.size() > 1) out_ += ',';
    out_ += '"';
    out_ += name;
    out_ += "\":";
  }
  std::string out_;
};

}  // namespace

// The executor writes two lines per request: building a json object per event
// (a map node and a key string per field) and dumping it was a tenth of the
// load generator's CPU in bench/throughput. This writes the same bytes as
// event_to_json(e) dumped (fields in the map's alphabetical order), which a
// property test checks.
std::string event_to_jsonl(const Event& e) {
  LineWriter line(160 + e.body.size());
  if (!e.key.empty() || e.attempt != 1) line.integer("attempt", e.attempt);
  // A body that is not UTF-8 cannot be a JSON string: its bytes go as base64.
  const bool body_text = is_valid_utf8(e.body);
  if (!e.body.empty() && body_text) line.string("body", e.body);
  if (!e.body.empty() && !body_text) line.word("body_base64", base64_encode(e.body));
  if (e.body_truncated) line.raw("body_truncated", "true");
  if (!e.error.empty()) line.string("error", e.error);
  line.string("f", e.f);
  line.integer("index", e.index);
  if (e.instance != 0) line.integer("instance", e.instance);
  if (!e.invalid.is_null()) line.raw("invalid", dump_json(e.invalid));
  if (!e.read_as.is_null()) line.raw("read_as", dump_json(e.read_as));
  if (!e.key.empty()) line.string("key", e.key);
  if (!e.op.empty()) line.string("op", e.op);
  line.integer("process", e.process);
  if (!e.protocol.empty()) line.string("protocol", e.protocol);
  if (!e.release.empty()) line.string("release", e.release);
  if (e.sent_ns >= 0) line.integer("sent_ns", e.sent_ns);
  if (e.status != 0) line.integer("status", e.status);
  if (!e.steps.is_null()) line.raw("steps", dump_json(e.steps));
  if (e.time_ns >= 0) line.integer("time_ns", e.time_ns);
  if (e.trial > 0) line.integer("trial", e.trial);
  line.word("type", to_string(e.type));
  line.raw("value", dump_json(e.value));
  return line.finish();
}

std::vector<std::vector<Event>> split_trials(const std::vector<Event>& events) {
  std::vector<std::vector<Event>> trials;
  std::unordered_map<std::int64_t, std::size_t> slot;  // trial number -> position in `trials`
  for (const Event& e : events) {
    auto [it, inserted] = slot.try_emplace(e.trial, trials.size());
    if (inserted) trials.emplace_back();
    std::vector<Event>& group = trials[it->second];
    group.push_back(e);
    group.back().index = static_cast<std::int64_t>(group.size()) - 1;
  }
  return trials;
}

bool is_valid_utf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = utf8_sequence_length(bytes, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string escape_invalid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = utf8_sequence_length(bytes, i);
    if (n > 0) {
      out.append(bytes.substr(i, n));
      i += n;
      continue;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    const auto c = static_cast<unsigned char>(bytes[i]);
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
    ++i;
  }
  return out;
}

void escape_invalid_utf8_strings(json& j) {
  if (j.is_string()) {
    const std::string& text = j.get_ref<const std::string&>();
    if (!is_valid_utf8(text)) j = escape_invalid_utf8(text);
  } else if (j.is_array()) {
    for (json& item : j) escape_invalid_utf8_strings(item);
  } else if (j.is_object()) {
    bool keys_valid = true;
    for (auto& [key, value] : j.items()) {
      keys_valid = keys_valid && is_valid_utf8(key);
      escape_invalid_utf8_strings(value);
    }
    if (keys_valid) return;
    json fixed = json::object();
    for (auto& [key, value] : j.items()) fixed[escape_invalid_utf8(key)] = std::move(value);
    j = std::move(fixed);
  }
}

static constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                            static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                            static_cast<unsigned char>(bytes[i + 2]);
    out += kBase64[v >> 18];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += kBase64[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kBase64[v >> 18];
    out += kBase64[(v >> 12) & 63];
    out += rest == 2 ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool base64_decode(std::string_view text, std::string* out) {
  if (text.size() % 4 != 0) return false;
  auto value_of = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string bytes;
  bytes.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const int pad = last ? (text[i + 3] == '=') + (text[i + 2] == '=') : 0;
    if (pad == 1 && text[i + 2] == '=') return false;  // "x=y=": padding only at the end
    std::uint32_t v = 0;
    for (int k = 0; k < 4 - pad; ++k) {
      const int d = value_of(text[i + static_cast<std::size_t>(k)]);
      if (d < 0) return false;
      v |= static_cast<std::uint32_t>(d) << (18 - 6 * k);
    }
    bytes += static_cast<char>((v >> 16) & 0xff);
    if (pad < 2) bytes += static_cast<char>((v >> 8) & 0xff);
    if (pad < 1) bytes += static_cast<char>(v & 0xff);
  }
  *out = std::move(bytes);
  return true;
}

PairingResult pair_operations(const std::vector<Event>& events) {
  PairingResult result;
  bool have_clock = true;
  for (const Event& e : events)
    if (e.time_ns < 0) have_clock = false;

  // Real-time order: the monotonic clock, or else the line order.
  auto time_of = [&](std::size_t pos) -> std::int64_t {
    return have_clock ? events[pos].time_ns : static_cast<std::int64_t>(pos);
  };

  std::unordered_map<std::int64_t, int> open_by_process;  // process -> op id
  result.ops.reserve(events.size() / 2 + 1);
  for (std::size_t pos = 0; pos < events.size(); ++pos) {
    const Event& e = events[pos];
    if (e.type == EventType::Invoke) {
      if (auto it = open_by_process.find(e.process); it != open_by_process.end()) {
        result.problems.push_back("event " + std::to_string(e.index) + ": invoke for process " +
                                  std::to_string(e.process) + " while its op " +
                                  std::to_string(it->second) +
                                  " is still open; that op is treated as indeterminate");
        open_by_process.erase(it);
      }
      Operation op;
      op.id = static_cast<int>(result.ops.size());
      op.process = e.process;
      op.f = e.f;
      op.input = e.value;
      op.outcome = Outcome::Info;
      op.call = time_of(pos);
      op.ret = kNever;
      op.key = e.key;
      op.invalid = e.invalid;
      op.read_as = e.read_as;
      op.attempt = e.attempt;
      op.instance = e.instance;
      op.invoke_event = e.index;
      open_by_process.emplace(e.process, op.id);
      result.ops.push_back(std::move(op));
      continue;
    }
    auto it = open_by_process.find(e.process);
    if (it == open_by_process.end()) {
      result.problems.push_back("event " + std::to_string(e.index) + ": " +
                                std::string(to_string(e.type)) + " for process " +
                                std::to_string(e.process) + " with no open invoke; ignored");
      continue;
    }
    Operation& op = result.ops[static_cast<std::size_t>(it->second)];
    open_by_process.erase(it);
    if (e.f != op.f)
      result.problems.push_back("event " + std::to_string(e.index) + ": completion f '" + e.f +
                                "' differs from its invoke's f '" + op.f + "'");
    op.complete_event = e.index;
    op.status = e.status;
    op.body = e.body;
    op.error = e.error;
    if (e.type == EventType::Info) {
      op.outcome = Outcome::Info;  // may take effect at any time after call, or never
      op.ret = kNever;
      continue;
    }
    op.outcome = e.type == EventType::Ok ? Outcome::Ok : Outcome::Fail;
    op.output = e.value;
    op.ret = time_of(pos);
    if (op.ret < op.call) {
      result.problems.push_back("event " + std::to_string(e.index) +
                                ": completion time is before its invoke's time; clamped");
      op.ret = op.call;
    }
  }
  return result;
}

}  // namespace racecheck
