#include "harness/idempotency_keys.h"

#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <utility>

#include "util/splitmix64.h"

namespace racecheck {
namespace {

// FNV-1a of the text, then mixed: a 64-bit digest of the run id.
std::uint64_t digest(const std::string& text, std::uint64_t salt) {
  std::uint64_t h = 0xCBF29CE484222325ULL ^ splitmix64(salt);
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001B3ULL;
  }
  return splitmix64(h);
}

std::string uuid_of(const KeyContext& c) {
  const std::uint64_t place = splitmix64(static_cast<std::uint64_t>(c.trial)) ^
                              splitmix64((static_cast<std::uint64_t>(static_cast<std::uint32_t>(c.client)) << 32) |
                                         static_cast<std::uint32_t>(c.op));
  std::uint64_t hi = digest(c.run, place);
  std::uint64_t lo = digest(c.run, ~place);
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32), static_cast<unsigned long long>((hi >> 16) & 0xFFFF),
                static_cast<unsigned long long>(hi & 0xFFFF), static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buffer;
}

// Walks the template: literal text goes to `literal`, each placeholder name to `placeholder`.
template <typename Literal, typename Placeholder>
void walk_template(const std::string& text, Literal literal, Placeholder placeholder) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal(c);
      ++i;
    } else if (c == '{') {
      const std::size_t close = text.find('}', i + 1);
      if (close == std::string::npos) throw std::invalid_argument("unclosed '{' in key template \"" + text + "\"");
      placeholder(text.substr(i + 1, close - i - 1));
      i = close;
    } else {
      literal(c);
    }
  }
}

}  // namespace

std::string new_run_id() {
  std::random_device device;
  const std::uint64_t bits = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016llx", static_cast<unsigned long long>(bits));
  return buffer;
}

std::string render_idempotency_key(const std::string& key_template, const KeyContext& context) {
  std::string out;
  walk_template(
      key_template, [&](char c) { out += c; },
      [&](const std::string& name) {
        if (name == "run") out += context.run;
        else if (name == "trial") out += std::to_string(context.trial);
        else if (name == "client") out += std::to_string(context.client);
        else if (name == "op") out += std::to_string(context.op);
        else if (name == "uuid") out += uuid_of(context);
        else throw std::invalid_argument("unknown placeholder {" + name + "} in key template \"" + key_template + "\"");
      });
  return out;
}

std::optional<std::string> idempotency_key_template_problem(const std::string& key_template) {
  std::set<std::string> used;
  std::string unknown;
  std::string adjacent;
  std::string previous_number;   // the last {trial}/{client}/{op} with only digits after it so far
  try {
    walk_template(
        key_template,
        [&](char c) {
          if (c < '0' || c > '9') previous_number.clear();
        },
        [&](const std::string& name) {
          const bool known = name == "run" || name == "trial" || name == "client" || name == "op" || name == "uuid";
          if (!known && unknown.empty()) unknown = name;
          const bool number = name == "trial" || name == "client" || name == "op";
          if (number && !previous_number.empty() && adjacent.empty()) {
            adjacent = "{" + previous_number + "} and {" + name + "}";
          }
          previous_number = number ? name : "";
          used.insert(name);
        });
  } catch (const std::invalid_argument& e) {
    return std::string(e.what()) + " (write \"{{\" for a literal brace)";
  }
  if (!unknown.empty()) return "unknown placeholder {" + unknown + "} (expected {run}, {trial}, {client}, {op} or {uuid})";
  const bool unique = used.count("uuid") > 0 || (used.count("run") > 0 && used.count("trial") > 0 &&
                                                 used.count("client") > 0 && used.count("op") > 0);
  if (!unique) {
    return std::string("keys would repeat: the template needs {uuid}, or all of {run}, {trial}, {client} and {op}, "
                       "so that no two operations of any run or trial share a key");
  }
  if (!adjacent.empty()) {
    return "keys would repeat: " + adjacent + " are separated by digits only, so different numbers can read "
           "the same; put a character that is not a digit between them";
  }
  return std::nullopt;
}

std::size_t idempotency_key_max_rendered_length(const std::string& key_template) {
  std::size_t n = 0;
  walk_template(
      key_template, [&](char) { ++n; },
      [&](const std::string& name) {
        if (name == "run") n += 16;
        else if (name == "trial") n += 10;
        else if (name == "client") n += 4;
        else if (name == "op") n += 6;
        else if (name == "uuid") n += 36;
        else n += name.size() + 2;
      });
  return n;
}

Scenario with_idempotency_keys(const Scenario& scenario, const Spec& spec, const std::string& run,
                               std::int64_t trial) {
  Scenario out = scenario;
  std::map<std::string, std::string> key_of_group;
  for (std::size_t c = 0; c < out.clients.size(); ++c) {
    for (std::size_t i = 0; i < out.clients[c].ops.size(); ++i) {
      ScenarioOp& op = out.clients[c].ops[i];
      if (op.key.empty()) continue;
      const OperationSpec* kind = spec.find_operation(op.f);
      if (kind != nullptr && kind->idempotency == Idempotency::None) {
        op.key.clear();
        op.max_attempts = 1;  // without a key a retry is a new request
        continue;
      }
      auto [it, first] = key_of_group.try_emplace(op.key);
      if (first) {
        it->second = render_idempotency_key(
            spec.idempotency_key.key_template, KeyContext{run, trial, static_cast<int>(c), static_cast<int>(i)});
      }
      op.key = it->second;
    }
  }
  return out;
}

}  // namespace racecheck
