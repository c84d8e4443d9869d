#include "reports/redact.h"

#include <algorithm>
#include <cctype>

namespace racecheck {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string regex_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

Redactor::Redactor(std::vector<std::string> secrets, std::vector<std::string> header_names) {
  for (auto& s : secrets)
    if (!s.empty()) secrets_.push_back(std::move(s));
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  std::string alternatives;
  for (const auto& h : header_names) {
    if (h.empty()) continue;
    headers_lower_.push_back(lower(h));
    if (!alternatives.empty()) alternatives += '|';
    alternatives += regex_escape(h);
  }
  has_headers_ = !headers_lower_.empty();
  if (has_headers_) {
    // name, then optional (escaped) closing quote, ':' or '=', optional opening quote;
    // the value runs to the end of the line or the next quote or backslash.
    header_pattern_ = std::regex("(" + alternatives + R"()((?:\\?")?[ \t]*[:=][ \t]*(?:\\?")?)([^\r\n'"\\]+))",
                                 std::regex::icase | std::regex::ECMAScript);
  }
}

bool Redactor::is_redacted_header(std::string_view name) const {
  const std::string l = lower(name);
  return std::find(headers_lower_.begin(), headers_lower_.end(), l) != headers_lower_.end();
}

std::string Redactor::text(std::string_view s) const {
  std::string out(s);
  for (const auto& secret : secrets_) {
    for (std::size_t pos = out.find(secret); pos != std::string::npos;
         pos = out.find(secret, pos + kRedacted.size())) {
      out.replace(pos, secret.size(), kRedacted);
    }
  }
  if (has_headers_) {
    const std::string l = lower(out);
    const bool mentions_header = std::any_of(headers_lower_.begin(), headers_lower_.end(),
                                             [&](const std::string& h) { return l.find(h) != std::string::npos; });
    if (mentions_header) out = std::regex_replace(out, header_pattern_, "$1$2" + std::string(kRedacted));
  }
  return out;
}

nlohmann::json Redactor::value(const nlohmann::json& j) const {
  if (j.is_string()) return text(j.get_ref<const std::string&>());
  if (j.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : j) out.push_back(value(e));
    return out;
  }
  if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : j.items()) {
      if (is_redacted_header(k)) out[text(k)] = kRedacted;
      else out[text(k)] = value(v);
    }
    return out;
  }
  return j;
}

ReportInput Redactor::input(const ReportInput& in) const {
  ReportInput out = in;
  out.secrets.clear();
  for (std::string* s : {&out.title, &out.target, &out.command, &out.spec_path, &out.started_at}) *s = text(*s);
  for (auto& v : out.verdicts.verdicts) {
    v.invariant = text(v.invariant);
    v.summary = text(v.summary);
    for (auto& x : v.violations) {
      x.invariant = text(x.invariant);
      x.explanation = text(x.explanation);
      for (auto& st : x.prefix_states) st = text(st);
    }
  }
  for (auto& e : out.history) {
    e.f = text(e.f);
    e.value = value(e.value);
    e.key = text(e.key);
    e.body = text(e.body);
    e.error = text(e.error);
  }
  for (auto& op : out.ops) {
    op.f = text(op.f);
    op.input = value(op.input);
    op.output = value(op.output);
    op.error = text(op.error);
    op.key = text(op.key);
    op.body = text(op.body);
  }
  out.minimal_scenario = value(out.minimal_scenario);
  for (auto& r : out.repro_requests) {
    r.method = text(r.method);
    r.url = text(r.url);
    r.body = text(r.body);
    for (auto& [name, v] : r.headers) {
      v = is_redacted_header(name) ? std::string(kRedacted) : text(v);
      name = text(name);
    }
  }
  std::map<std::string, std::map<std::string, int>> outcomes;
  for (const auto& [op, counts] : out.stats.outcomes_by_op) {
    auto& dst = outcomes[text(op)];
    for (const auto& [outcome, n] : counts) dst[text(outcome)] += n;
  }
  out.stats.outcomes_by_op = std::move(outcomes);
  return out;
}

Redactor redactor_for(const ReportInput& in) { return Redactor(in.secrets, in.redact_headers); }

}  // namespace racecheck
