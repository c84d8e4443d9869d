// Spec loading and validation. Every check names the JSON pointer of the field
// it rejects; unknown keys are rejected too, so a typo never silently becomes a
// default.
#include "harness/spec.h"
#include "harness/spec_reader.h"

#include "harness/idempotency_keys.h"

#include "util/bounded_json.h"
#include "util/text.h"
#include "properties/idempotency.h"
#include "properties/models.h"
#include "properties/money.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

namespace racecheck {
namespace spec_reading {



std::string format_spec_error(const std::string& file, const std::string& pointer,
                              const std::string& reason) {
  if (pointer.empty()) return file + ": " + reason;
  return file + ": " + pointer + ": " + reason;
}

std::string escape_pointer_token(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string child(const std::string& pointer, const std::string& key) {
  return pointer + "/" + escape_pointer_token(key);
}
std::string child(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}


namespace {

// The problem with a URL's authority ("host", "host:port", "[v6]:port",
// optionally after "user@"), if any. libcurl would pass a bad port or host on
// to the network and report "couldn't connect", blaming the target.
std::optional<std::string> authority_problem(const std::string& url, const std::string& authority,
                                             bool allow_port_zero) {
  const std::string quoted = "URL \"" + url + "\"";
  std::string host_port = authority.substr(authority.rfind('@') == std::string::npos ? 0 : authority.rfind('@') + 1);
  std::string host, port;
  if (!host_port.empty() && host_port[0] == '[') {
    const auto close = host_port.find(']');
    if (close == std::string::npos) return quoted + " has an unclosed '[' in its host";
    host = host_port.substr(1, close - 1);
    if (host.empty() || host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos)
      return quoted + " has an invalid IPv6 address \"" + host + "\"";
    const std::string rest = host_port.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return quoted + " has text after its IPv6 address";
    if (!rest.empty()) port = rest.substr(1);
    if (!rest.empty() && port.empty()) return quoted + " has an empty port after ':'";
  } else {
    const auto colon = host_port.find(':');
    host = host_port.substr(0, colon);
    if (colon != std::string::npos) {
      port = host_port.substr(colon + 1);
      if (port.empty()) return quoted + " has an empty port after ':'";
    }
    if (host.empty()) return quoted + " has no host";
    for (unsigned char c : host) {
      if (c >= 0x80)
        return quoted + " has a non-ASCII host name: write an international name in its ASCII form (xn--...)";
      if (!std::isalnum(c) && c != '.' && c != '-' && c != '_')
        return quoted + " has an invalid character '" + std::string(1, static_cast<char>(c)) + "' in its host \"" +
               host + "\"";
    }
    if (host.find("..") != std::string::npos || host[0] == '.' || host[0] == '-')
      return quoted + " has an invalid host \"" + host + "\"";
  }
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535 ||
        (!allow_port_zero && std::stoi(port) == 0))
      return quoted + " has port " + port + ", out of range (1-65535)";
  }
  return std::nullopt;
}

}  // namespace

// Checks a base URL and drops trailing slashes; returns the problem, if any.
// Port 0 is allowed in a spec, where it marks a URL that --target replaces.
std::optional<std::string> normalize_base_url(std::string* url, bool allow_port_zero) {
  bool http = url->rfind("http://", 0) == 0, https = url->rfind("https://", 0) == 0;
  if (!http && !https) return "expected a URL beginning with http:// or https://, got \"" + *url + "\"";
  std::size_t host_start = http ? 7 : 8;
  if (url->size() <= host_start || (*url)[host_start] == '/') return "URL \"" + *url + "\" has no host";
  if (url->find_first_of(" \r\n\t?#{}") != std::string::npos) {
    return "URL \"" + *url + "\" contains whitespace, '?', '#' or a brace";
  }
  const auto path_start = url->find('/', host_start);
  const std::string authority =
      url->substr(host_start, path_start == std::string::npos ? std::string::npos : path_start - host_start);
  if (auto problem = authority_problem(*url, authority, allow_port_zero)) return problem;
  while (url->size() > host_start + 1 && url->back() == '/') url->pop_back();
  return std::nullopt;
}

// Validates one spec; `file` prefixes every error.

}  // namespace spec_reading

using namespace spec_reading;

namespace {

// Rejects duplicate object keys while parsing (nlohmann keeps the last one silently).
struct DuplicateKeyDetector {
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  bool too_deep = false;  // copying a deeper value would recurse too far (util/bounded_json.h)
  bool operator()(int depth, json::parse_event_t event, json& parsed) {
    if (depth > kMaxJsonDepth) too_deep = true;
    switch (event) {
      case json::parse_event_t::object_start: open_objects.emplace_back(); break;
      case json::parse_event_t::object_end: if (!open_objects.empty()) open_objects.pop_back(); break;
      case json::parse_event_t::key: {
        std::string key = parsed.get<std::string>();
        if (!open_objects.empty() && !open_objects.back().insert(key).second && duplicate.empty()) duplicate = key;
        break;
      }
      default: break;
    }
    return true;
  }
};

}  // namespace

SpecError::SpecError(std::string file_, std::string pointer_, std::string reason_)
    : std::runtime_error(format_spec_error(file_, pointer_, reason_)),
      file(std::move(file_)), pointer(std::move(pointer_)), reason(std::move(reason_)) {}

bool StatusSet::contains(int status) const {
  for (const auto& [lo, hi] : ranges) {
    if (status >= lo && status <= hi) return true;
  }
  return false;
}

bool BodyMatcher::matches(const std::string& raw_body, const json* parsed_body) const {
  if (regex) return std::regex_match(raw_body, *regex);  // the pattern is wrapped: see body_matcher
  if (parsed_body == nullptr) return false;
  json::json_pointer ptr(pointer);
  if (!parsed_body->contains(ptr)) return false;
  return parsed_body->at(ptr) == equals;
}

const OperationSpec* Spec::find_operation(const std::string& op_name) const {
  for (const auto& op : operations) {
    if (op.name == op_name) return &op;
  }
  return nullptr;
}

std::vector<std::string> Spec::secret_values() const {
  std::vector<std::string> values;
  for (const auto& secret : secrets) {
    if (!secret.second.empty()) values.push_back(secret.second);
  }
  return values;
}

std::vector<std::string> template_placeholders(const std::string& text) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      if (i + 1 < text.size() && text[i + 1] == '{') {
        ++i;
        continue;
      }
      std::size_t close = text.find('}', i + 1);
      if (close == std::string::npos) {
        throw std::invalid_argument("unclosed '{' in \"" + text + "\" (write \"{{\" for a literal brace)");
      }
      std::string name = text.substr(i + 1, close - i - 1);
      if (name.empty() || name.find('{') != std::string::npos) {
        throw std::invalid_argument("bad placeholder in \"" + text + "\" (write \"{{\" for a literal brace)");
      }
      names.push_back(name);
      i = close;
    } else if (text[i] == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        ++i;
        continue;
      }
      throw std::invalid_argument("unmatched '}' in \"" + text + "\" (write \"}}\" for a literal brace)");
    }
  }
  return names;
}

bool is_name_argument(const std::string& argument) {
  return argument == "name" || argument == "user" || argument == "username";
}

void override_base_urls(Spec& spec, std::vector<std::string> urls) {
  if (urls.empty()) throw SpecError(spec.file_name, "/base_urls", "expected at least one base URL");
  for (auto& url : urls) {
    if (auto problem = normalize_base_url(&url, false)) throw SpecError(spec.file_name, "/base_urls", *problem);
  }
  spec.base_urls = std::move(urls);
  if (spec.final_read_instance >= static_cast<int>(spec.base_urls.size())) spec.final_read_instance = 0;
}

Spec parse_spec(const json& j, const std::string& file_name) {
  return SpecReader(file_name).spec(j);
}

Spec parse_spec_text(const std::string& text, const std::string& file_name) {
  DuplicateKeyDetector detector;
  json parsed;
  try {
    parsed = json::parse(text, std::ref(detector));
  } catch (const json::parse_error& e) {
    // Line and column of the failing byte (nlohmann reports a 1-based byte offset).
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string message = e.what();
    std::size_t detail = message.find("column");
    detail = detail == std::string::npos ? std::string::npos : message.find(": ", detail);
    std::string reason = detail == std::string::npos ? message : message.substr(detail + 2);
    throw SpecError(file_name, "", "invalid JSON at line " + std::to_string(line) + ", column " +
                                       std::to_string(column) + ": " + reason);
  } catch (const json::exception& e) {
    // A number too large for a double ("1e400") is an out_of_range error, not a parse error.
    throw SpecError(file_name, "", std::string("invalid JSON: ") + e.what());
  }
  if (detector.too_deep) {
    throw SpecError(file_name, "", "invalid JSON: nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  if (!detector.duplicate.empty()) {
    throw SpecError(file_name, "", "duplicate key \"" + detector.duplicate + "\" (a key may appear once per object)");
  }
  return parse_spec(parsed, file_name);
}

Spec load_spec_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw SpecError(path, "", "cannot open the file: it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SpecError(path, "", "cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw SpecError(path, "", "cannot read the file");
  Spec spec = parse_spec_text(text.str(), path);
  for (const auto& w : spec.warnings) std::cerr << "warning: " << w << "\n";
  return spec;
}

}  // namespace racecheck
