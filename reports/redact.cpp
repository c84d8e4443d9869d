#include "reports/redact.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "util/text.h"

namespace racecheck {

namespace {

std::string regex_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string hex(std::uint32_t v, int digits) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = kDigits[v & 0xF];
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The next character of `s` at `at`: its byte length and code point (-1 for a
// byte that does not start valid UTF-8; it then stands alone).
std::pair<std::size_t, std::int32_t> next_code_point(std::string_view s, std::size_t at) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = b(at);
  if (lead < 0x80) return {1, lead};
  std::size_t len = 0;
  std::int32_t cp = 0;
  if ((lead & 0xE0) == 0xC0) { len = 2; cp = lead & 0x1F; }
  else if ((lead & 0xF0) == 0xE0) { len = 3; cp = lead & 0x0F; }
  else if ((lead & 0xF8) == 0xF0) { len = 4; cp = lead & 0x07; }
  else return {1, -1};
  if (at + len > s.size()) return {1, -1};
  for (std::size_t i = 1; i < len; ++i) {
    if ((b(at + i) & 0xC0) != 0x80) return {1, -1};
    cp = (cp << 6) | (b(at + i) & 0x3F);
  }
  static constexpr std::int32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {1, -1};
  return {len, cp};
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

// JSON string escapes undone; nullopt for a malformed escape.
std::optional<std::string> json_unescape(std::string_view s) {
  std::string out;
  auto hex4 = [&](std::size_t at) -> std::int32_t {
    if (at + 4 > s.size()) return -1;
    std::int32_t v = 0;
    for (std::size_t i = at; i < at + 4; ++i) {
      const int h = hex_value(s[i]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  };
  // The one-character escapes, and the character each stands for.
  static constexpr std::string_view kEscape = "\"\\/bfnrt", kMeaning = "\"\\/\b\f\n\r\t";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') { out += s[i]; continue; }
    if (++i == s.size()) return std::nullopt;
    if (const std::size_t k = kEscape.find(s[i]); k != std::string_view::npos) {
      out += kMeaning[k];
      continue;
    }
    if (s[i] != 'u') return std::nullopt;
    std::int32_t cp = hex4(i + 1);
    if (cp < 0) return std::nullopt;
    i += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < s.size() && s.substr(i + 1, 2) == "\\u") {
      const std::int32_t low = hex4(i + 3);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        i += 6;
      }
    }
    append_utf8(out, static_cast<std::uint32_t>(cp));
  }
  return out;
}

std::string base64(std::string_view bytes, bool url_safe) {
  const char* alphabet = url_safe ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                                  : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  const auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
    for (int s = 18; s >= 0; s -= 6) out += alphabet[(v >> s) & 0x3F];
  }
  if (i + 1 == bytes.size()) {
    const std::uint32_t v = b(i) << 16;
    out += alphabet[(v >> 18) & 0x3F];
    out += alphabet[(v >> 12) & 0x3F];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const std::uint32_t v = (b(i) << 16) | (b(i + 1) << 8);
    out += alphabet[(v >> 18) & 0x3F];
    out += alphabet[(v >> 12) & 0x3F];
    out += alphabet[(v >> 6) & 0x3F];
    out += '=';
  }
  return out;
}

// Every way one character (a code point, or a lone invalid byte) can be written in
// a report: raw, percent-encoded, JSON-escaped, HTML/XML-escaped (also of its JSON
// escape), and shell-quoted.
std::vector<std::string> character_encodings(std::string_view bytes, std::int32_t cp, std::vector<bool>& fold) {
  std::vector<std::string> alts;
  auto add = [&](std::string s, bool fold_case) {
    if (std::find(alts.begin(), alts.end(), s) != alts.end()) return;
    alts.push_back(std::move(s));
    fold.push_back(fold_case);
  };
  add(std::string(bytes), false);
  std::string percent;
  for (char c : bytes) percent += "%" + hex(static_cast<unsigned char>(c), 2);
  add(percent, true);
  if (cp < 0) return alts;
  const auto ucp = static_cast<std::uint32_t>(cp);
  if (ucp < 0x10000) {
    add("\\u" + hex(ucp, 4), true);
  } else {
    const std::uint32_t v = ucp - 0x10000;
    add("\\u" + hex(0xD800 + (v >> 10), 4) + "\\u" + hex(0xDC00 + (v & 0x3FF), 4), true);
  }
  add("&#" + std::to_string(ucp) + ";", false);
  add("&#x" + hex(ucp, ucp < 0x100 ? 2 : ucp < 0x10000 ? 4 : 6) + ";", true);
  switch (cp) {
    case ' ': add("+", false); break;
    case '"': add("\\\"", false); add("&quot;", true); add("\\&quot;", true); break;
    case '\\': add("\\\\", false); break;
    case '/': add("\\/", false); break;
    case '\b': add("\\b", false); break;
    case '\f': add("\\f", false); break;
    case '\n': add("\\n", false); break;
    case '\r': add("\\r", false); break;
    case '\t': add("\\t", false); break;
    case '&': add("&amp;", true); break;
    case '<': add("&lt;", true); break;
    case '>': add("&gt;", true); break;
    case '\'': add("&apos;", true); add("'\\''", false); break;
    default: break;
  }
  // "&#x9;": a hex character reference without the leading zero (fold_case covers the case).
  if (ucp < 0x100) add("&#x" + hex(ucp, 1 + (ucp >= 0x10)) + ";", true);
  return alts;
}

bool equal_at(std::string_view text, std::size_t at, const std::string& alt, bool fold_case) {
  if (at + alt.size() > text.size()) return false;
  if (!fold_case) return text.compare(at, alt.size(), alt) == 0;
  const auto fold = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c + 32) : c; };
  for (std::size_t i = 0; i < alt.size(); ++i) {
    const auto a = static_cast<unsigned char>(text[at + i]), b = static_cast<unsigned char>(alt[i]);
    if (a != b && fold(a) != fold(b)) return false;
  }
  return true;
}

}  // namespace

SecretMatcher::SecretMatcher(std::vector<NamedSecret> secrets) {
  for (auto& s : secrets)
    if (!s.value.empty()) secrets_.push_back(std::move(s));

  // Every character of `text` in any of its encodings.
  auto per_character = [](std::string_view text) {
    std::vector<std::vector<Alternative>> units;
    for (std::size_t at = 0; at < text.size();) {
      const auto [len, cp] = next_code_point(text, at);
      std::vector<bool> fold;
      const auto alts = character_encodings(text.substr(at, len), cp, fold);
      std::vector<Alternative> unit;
      for (std::size_t i = 0; i < alts.size(); ++i) unit.push_back({alts[i], fold[i]});
      units.push_back(std::move(unit));
      at += len;
    }
    return units;
  };
  for (std::size_t i = 0; i < secrets_.size(); ++i) {
    const std::string& v = secrets_[i].value;
    patterns_.push_back({i, SecretForm::Raw, per_character(v)});
    // Base64 of the secret alone, in each alphabet with and without padding ...
    std::vector<std::pair<std::string, SecretForm>> literals;
    for (const bool url : {false, true}) {
      const std::string padded = base64(v, url);
      std::string unpadded = padded;
      while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
      literals.push_back({padded, url ? SecretForm::Base64Url : SecretForm::Base64});
      if (unpadded != padded) literals.push_back({unpadded, url ? SecretForm::Base64UrlUnpadded : SecretForm::Base64Unpadded});
      // ... and inside a longer base64 text (a Basic credential "user:secret"): at
      // each of the three byte alignments, the characters that only the secret's
      // bits determine. Too short a fragment would match unrelated text.
      for (std::size_t align = 0; align <= 2; ++align) {
        const std::string encoded = base64(std::string(align, '\0') + v, url);
        std::string core;
        for (std::size_t k = 0; 6 * k + 6 <= 8 * (align + v.size()); ++k)
          if (6 * k >= 8 * align && k < encoded.size()) core += encoded[k];
        const bool known = std::any_of(literals.begin(), literals.end(), [&](const auto& l) { return l.first == core; });
        if (core.size() >= 8 && !known) literals.push_back({core, SecretForm::Other});
      }
    }
    for (const auto& [literal, form] : literals) patterns_.push_back({i, form, per_character(literal)});
  }
  // Most text positions cannot start any encoding of any secret: a table lookup skips them.
  for (Pattern& p : patterns_) {
    for (const Alternative& a : p.units.front()) {
      const auto c = static_cast<unsigned char>(a.text.front());
      p.first_byte[c] = true;
      if (a.fold_case) {
        p.first_byte[static_cast<unsigned char>(std::tolower(c))] = true;
        p.first_byte[static_cast<unsigned char>(std::toupper(c))] = true;
      }
    }
    for (std::size_t b = 0; b < first_byte_.size(); ++b) first_byte_[b] = first_byte_[b] || p.first_byte[b];
  }
}

std::size_t SecretMatcher::match_at(const Pattern& p, std::string_view text, std::size_t at) const {
  // The set of text positions where the pattern's first k characters can end:
  // alternatives of one character differ in length, so several ends stay alive.
  std::vector<std::size_t> ends, next;
  for (const Alternative& a : p.units.front())
    if (equal_at(text, at, a.text, a.fold_case)) ends.push_back(at + a.text.size());
  for (std::size_t u = 1; u < p.units.size() && !ends.empty(); ++u) {
    next.clear();
    for (const std::size_t e : ends)
      for (const Alternative& a : p.units[u])
        if (equal_at(text, e, a.text, a.fold_case) && std::find(next.begin(), next.end(), e + a.text.size()) == next.end())
          next.push_back(e + a.text.size());
    ends.swap(next);
  }
  if (ends.empty()) return std::string_view::npos;
  return *std::max_element(ends.begin(), ends.end());
}

std::optional<SecretMatcher::Match> SecretMatcher::find(std::string_view text, std::size_t from) const {
  if (patterns_.empty()) return std::nullopt;
  for (std::size_t at = from; at < text.size(); ++at) {
    const auto byte = static_cast<unsigned char>(text[at]);
    if (!first_byte_[byte]) continue;
    std::optional<Match> best;
    for (const Pattern& p : patterns_) {
      if (!p.first_byte[byte]) continue;
      const std::size_t end = match_at(p, text, at);
      if (end == std::string_view::npos || (best && end <= best->end)) continue;
      best = Match{at, end, p.secret, p.form};
    }
    if (!best) continue;
    const std::string_view matched = text.substr(best->begin, best->end - best->begin);
    const std::string& value = secrets_[best->secret].value;
    if (best->form == SecretForm::Raw) {
      // The per-character pattern: which single encoding, if any, the occurrence uses.
      if (matched == value) best->form = SecretForm::Raw;
      else if (matched.find('&') == std::string_view::npos && json_unescape(matched) == value) best->form = SecretForm::JsonEscaped;
      else if (matched.find('\\') == std::string_view::npos && matched.find('&') == std::string_view::npos &&
               percent_decode(matched) == value)
        best->form = SecretForm::Percent;
      else best->form = SecretForm::Other;
    } else if (best->form != SecretForm::Other) {
      // A base64 literal written in another encoding (e.g. "\/" in JSON) is not a plain base64 form.
      const bool literal = std::none_of(matched.begin(), matched.end(), [](char c) { return c == '%' || c == '\\' || c == '&'; });
      if (!literal) best->form = SecretForm::Other;
    }
    return best;
  }
  return std::nullopt;
}

std::string SecretMatcher::redact(std::string_view text) const {
  std::string out;
  std::size_t done = 0;
  for (auto m = find(text, 0); m; m = find(text, m->end)) {
    out.append(text.substr(done, m->begin - done));
    out += kRedacted;
    done = m->end;
  }
  if (done == 0) return std::string(text);
  out.append(text.substr(done));
  return out;
}

namespace {

struct Userinfo {
  std::size_t begin, end;     // the span to replace
  std::string credential;     // percent-decoded
};

// The userinfo secrets of every "scheme://userinfo@host" (also "scheme:\/\/...").
std::vector<Userinfo> find_userinfo(std::string_view text) {
  std::vector<Userinfo> out;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t plain = text.find("://", at), escaped = text.find(":\\/\\/", at);
    const std::size_t colon = std::min(plain, escaped);
    if (colon == std::string_view::npos) break;
    const std::size_t start = colon + (colon == plain ? 3 : 5);
    std::size_t end = start;
    while (end < text.size() && std::string_view("/?#@\\\"'<> \t\r\n").find(text[end]) == std::string_view::npos) ++end;
    if (end < text.size() && text[end] == '@' && end > start) {
      const std::string_view userinfo = text.substr(start, end - start);
      const std::size_t sep = userinfo.find(':');
      if (sep == std::string_view::npos) out.push_back({start, end, percent_decode(userinfo)});
      else if (sep + 1 < userinfo.size()) out.push_back({start + sep + 1, end, percent_decode(userinfo.substr(sep + 1))});
    }
    at = std::max(end, start);
  }
  return out;
}

}  // namespace

std::string redact_url_userinfo(std::string_view text) {
  if (text.find(":/") == std::string_view::npos && text.find(":\\/") == std::string_view::npos) return std::string(text);
  std::string out;
  std::size_t done = 0;
  for (const Userinfo& u : find_userinfo(text)) {
    out.append(text.substr(done, u.begin - done));
    out += kRedacted;
    done = u.end;
  }
  out.append(text.substr(done));
  return out;
}

std::vector<std::string> url_userinfo_credentials(std::string_view text) {
  std::vector<std::string> out;
  for (const Userinfo& u : find_userinfo(text))
    if (u.credential != kRedacted) out.push_back(u.credential);
  return out;
}

namespace {

std::vector<NamedSecret> unnamed(std::vector<std::string> values) {
  std::vector<NamedSecret> out;
  for (std::size_t i = 0; i < values.size(); ++i) out.push_back({"SECRET_" + std::to_string(i + 1), std::move(values[i])});
  return out;
}

}  // namespace

Redactor::Redactor(std::vector<std::string> secrets, std::vector<std::string> header_names)
    : Redactor(SecretMatcher(unnamed(std::move(secrets))), std::move(header_names)) {}

Redactor Redactor::named(std::vector<NamedSecret> secrets, std::vector<std::string> header_names) {
  return Redactor(SecretMatcher(std::move(secrets)), std::move(header_names));
}

Redactor::Redactor(SecretMatcher matcher, std::vector<std::string> header_names) : matcher_(std::move(matcher)) {
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

std::string Redactor::secrets_only(std::string_view s) const {
  if (matcher_.empty()) return redact_url_userinfo(s);
  return matcher_.redact(redact_url_userinfo(s));
}

std::string Redactor::text(std::string_view s) const {
  std::string out = secrets_only(s);
  if (has_headers_) {
    const std::string l = lower(out);
    const bool mentions_header = std::any_of(headers_lower_.begin(), headers_lower_.end(),
                                             [&](const std::string& h) { return l.find(h) != std::string::npos; });
    if (mentions_header) out = std::regex_replace(out, header_pattern_, "$1$2" + std::string(kRedacted));
  }
  return out;
}

nlohmann::json Redactor::value_with(const nlohmann::json& j, bool headers) const {
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    return headers ? text(s) : secrets_only(s);
  }
  if (j.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : j) out.push_back(value_with(e, headers));
    return out;
  }
  if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : j.items()) {
      const std::string key = headers ? text(k) : secrets_only(k);
      if (headers && is_redacted_header(k)) out[key] = kRedacted;
      else out[key] = value_with(v, headers);
    }
    return out;
  }
  return j;
}

nlohmann::json Redactor::value(const nlohmann::json& j) const { return value_with(j, true); }
nlohmann::json Redactor::value_secrets_only(const nlohmann::json& j) const { return value_with(j, false); }

ReportInput Redactor::input(const ReportInput& in) const {
  ReportInput out = in;
  out.secrets.clear();
  out.secret_names.clear();
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
  const auto texts = [&](auto&... fields) { ((fields = text(fields)), ...); };
  for (auto& e : out.history) {
    texts(e.f, e.key, e.body, e.error);
    e.value = value(e.value);
    e.steps = value(e.steps);  // a step's path may hold a {secret:NAME}
  }
  for (auto& op : out.ops) {
    texts(op.f, op.error, op.key, op.body);
    op.input = value(op.input);
    op.output = value(op.output);
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

std::vector<NamedSecret> secrets_of(const ReportInput& in) {
  std::vector<NamedSecret> out;
  auto add = [&](std::string name, const std::string& value, std::string what) {
    if (value.empty()) return;
    if (std::any_of(out.begin(), out.end(), [&](const NamedSecret& s) { return s.value == value; })) return;
    out.push_back({std::move(name), value, std::move(what)});
  };
  for (std::size_t i = 0; i < in.secrets.size(); ++i)
    add(i < in.secret_names.size() && !in.secret_names[i].empty() ? in.secret_names[i] : "SECRET_" + std::to_string(i + 1),
        in.secrets[i], "secret");
  std::vector<std::string> credentials = url_userinfo_credentials(in.target);
  for (const std::string& c : url_userinfo_credentials(in.command)) credentials.push_back(c);
  for (const auto& r : in.repro_requests)
    for (const std::string& c : url_userinfo_credentials(r.url)) credentials.push_back(c);
  int n = 0;
  for (const std::string& c : credentials) {
    const std::size_t before = out.size();
    add("URL_CREDENTIAL_" + std::to_string(n + 1), c, "a URL's password or token user");
    if (out.size() > before) ++n;
  }
  return out;
}

Redactor redactor_for(const ReportInput& in) { return Redactor::named(secrets_of(in), in.redact_headers); }

}  // namespace racecheck
