#include "properties/jepsen_import.h"

#include <charconv>

namespace racecheck {
namespace {

// Calls fn(line_number, line) for every non-blank line.
template <typename Fn>
void for_each_line(std::string_view text, Fn fn) {
  std::int64_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    ++line_no;
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    fn(line_no, line);
  }
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool parse_int(std::string_view s, std::int64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// A Jepsen value token: nil, an integer, or anything else as a string.
json edn_atom(std::string_view s) {
  if (s == "nil") return nullptr;
  std::int64_t n = 0;
  if (parse_int(s, &n)) return n;
  return std::string(s);
}

bool parse_type(std::string_view s, EventType* t) {
  if (s == ":invoke") *t = EventType::Invoke;
  else if (s == ":ok") *t = EventType::Ok;
  else if (s == ":fail") *t = EventType::Fail;
  else if (s == ":info") *t = EventType::Info;
  else return false;
  return true;
}

}  // namespace

std::vector<Event> import_jepsen_etcd(std::string_view text) {
  std::vector<Event> events;
  for_each_line(text, [&](std::int64_t line_no, std::string_view line) {
    const auto tokens = split_ws(line);
    // ... "-" P type f value...
    std::size_t dash = 0;
    while (dash < tokens.size() && tokens[dash] != "-") ++dash;
    if (tokens.size() < dash + 4)
      throw HistoryError(line_no, "", "expected 'INFO jepsen.util - <process> <type> <f> <value>'");
    Event e;
    if (!parse_int(tokens[dash + 1], &e.process) || e.process < 0)
      throw HistoryError(line_no, "process", "not a process id: '" + std::string(tokens[dash + 1]) + "'");
    if (!parse_type(tokens[dash + 2], &e.type))
      throw HistoryError(line_no, "type", "expected :invoke, :ok, :fail or :info, got '" + std::string(tokens[dash + 2]) + "'");
    // Porcupine's parser ignores :info lines: the op stays open to the end of the history.
    if (e.type == EventType::Info) return;
    const std::string_view f = tokens[dash + 3];
    if (f != ":read" && f != ":write" && f != ":cas")
      throw HistoryError(line_no, "f", "expected :read, :write or :cas, got '" + std::string(f) + "'");
    e.f = std::string(f.substr(1));
    std::vector<std::string_view> rest(tokens.begin() + static_cast<std::ptrdiff_t>(dash + 4), tokens.end());
    if (rest.size() == 1 && rest[0] == ":timed-out") {
      e.error = "timed-out";
      e.value = nullptr;
    } else if (e.f == "read") {
      if (rest.size() != 1) throw HistoryError(line_no, "value", "read expects one value");
      e.value = e.type == EventType::Invoke ? json(nullptr) : json{{"value", edn_atom(rest[0])}};
    } else if (e.f == "write") {
      if (rest.size() != 1) throw HistoryError(line_no, "value", "write expects one value");
      e.value = json{{"value", edn_atom(rest[0])}};
    } else {
      if (rest.size() != 2 || rest[0].size() < 2 || rest[0].front() != '[' || rest[1].size() < 2 ||
          rest[1].back() != ']')
        throw HistoryError(line_no, "value", "cas expects [from to]");
      e.value = json{{"from", edn_atom(rest[0].substr(1))}, {"to", edn_atom(rest[1].substr(0, rest[1].size() - 1))}};
    }
    e.index = static_cast<std::int64_t>(events.size());
    events.push_back(std::move(e));
  });
  return events;
}

namespace {

// Reads one EDN map of keywords, integers, nil and strings without escapes:
// exactly what Jepsen's kv logs hold.
class EdnLine {
 public:
  EdnLine(std::int64_t line_no, std::string_view s) : line_no_(line_no), s_(s) {}

  json parse_map() {
    skip_ws();
    expect('{');
    json m = json::object();
    while (true) {
      skip_ws();
      if (peek() == '}') break;
      if (peek() != ':') fail("expected a keyword");
      std::string key = keyword();
      skip_ws();
      m[key] = value();
      skip_ws();
      if (peek() == ',') ++i_;
    }
    return m;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw HistoryError(line_no_, "", why + " at column " + std::to_string(i_ + 1));
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  std::string keyword() {
    ++i_;  // ':'
    const std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ' ' && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != '\t') ++i_;
    if (i_ == start) fail("empty keyword");
    return std::string(s_.substr(start, i_ - start));
  }
  json value() {
    const char c = peek();
    if (c == ':') return ":" + keyword();
    if (c == '"') {
      ++i_;
      const std::size_t end = s_.find('"', i_);
      if (end == std::string_view::npos) fail("unterminated string");
      std::string out(s_.substr(i_, end - i_));
      if (out.find('\\') != std::string::npos) fail("escapes in strings are not supported");
      i_ = end + 1;
      return out;
    }
    const std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ' ' && s_[i_] != ',' && s_[i_] != '}') ++i_;
    const std::string_view tok = s_.substr(start, i_ - start);
    if (tok.empty()) fail("expected a value");
    if (tok == "nil") return nullptr;
    std::int64_t n = 0;
    if (parse_int(tok, &n)) return n;
    fail("unsupported value '" + std::string(tok) + "'");
  }

  std::int64_t line_no_;
  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::vector<Event> import_jepsen_kv(std::string_view text) {
  std::vector<Event> events;
  for_each_line(text, [&](std::int64_t line_no, std::string_view line) {
    const json m = EdnLine(line_no, line).parse_map();
    Event e;
    auto get = [&](const char* field) -> const json& {
      auto it = m.find(field);
      if (it == m.end()) throw HistoryError(line_no, field, "missing");
      return *it;
    };
    const json& process = get("process");
    if (!process.is_number_integer()) throw HistoryError(line_no, "process", "expected an integer");
    e.process = process.get<std::int64_t>();
    const json& type = get("type");
    if (!type.is_string() || !parse_type(type.get<std::string>(), &e.type))
      throw HistoryError(line_no, "type", "expected :invoke, :ok, :fail or :info");
    const json& f = get("f");
    if (!f.is_string() || (f != ":get" && f != ":put" && f != ":append"))
      throw HistoryError(line_no, "f", "expected :get, :put or :append");
    e.f = f.get<std::string>().substr(1);
    const json& key = get("key");
    e.value = json{{"key", key.is_string() ? key : json(key.dump())}};
    const json& value = m.contains("value") ? m["value"] : json(nullptr);
    if (e.f == "get") {
      if (e.type == EventType::Ok) e.value["value"] = value.is_null() ? json("") : value;
    } else {
      e.value["value"] = value.is_null() ? json("") : value;
    }
    e.index = static_cast<std::int64_t>(events.size());
    events.push_back(std::move(e));
  });
  return events;
}

}  // namespace racecheck
