// The minimal scenario as a shell script of curl commands a user can run by hand.
// Secrets are never written into it: each is read from an environment variable and
// re-encoded by a small shell function the way the request carried it.
#include <cctype>
#include <map>
#include <set>

#include "reports/redact.h"
#include "reports/reports.h"
#include "reports/text_util.h"

namespace racecheck {

namespace {

// "Proxy-Authorization" -> "PROXY_AUTHORIZATION"
std::string env_suffix(std::string_view name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : '_';
  return out;
}

std::string header_env(std::string_view header) { return "RACECHECK_HEADER_" + env_suffix(header); }

// Shell functions that rebuild an encoded secret from its raw value (POSIX sh,
// od, sed, tr; base64 from coreutils or busybox).
constexpr const char* kEncoders =
    "racecheck_percent() { printf '%s' \"$1\" | od -An -v -tx1 | tr -d ' \\n' | tr 'a-f' 'A-F' | sed 's/../%&/g'; }\n"
    "racecheck_json() { printf '%s' \"$1\" | sed -e 's/\\\\/\\\\\\\\/g' -e 's/\"/\\\\\"/g'; }\n"
    "racecheck_base64() { printf '%s' \"$1\" | base64 | tr -d '\\n'; }\n";

// A shell expression expanding to the secret in `form`; empty when the script
// cannot rebuild that form (the occurrence is then written as [REDACTED]).
std::string expansion(const std::string& env, SecretForm form) {
  const std::string var = "\"${" + env + "}\"";
  switch (form) {
    case SecretForm::Raw: return var;
    case SecretForm::Percent: return "\"$(racecheck_percent " + var + ")\"";
    case SecretForm::JsonEscaped: return "\"$(racecheck_json " + var + ")\"";
    case SecretForm::Base64: return "\"$(racecheck_base64 " + var + ")\"";
    case SecretForm::Base64Unpadded: return "\"$(racecheck_base64 " + var + " | tr -d '=')\"";
    case SecretForm::Base64Url: return "\"$(racecheck_base64 " + var + " | tr '+/' '-_')\"";
    case SecretForm::Base64UrlUnpadded: return "\"$(racecheck_base64 " + var + " | tr '+/' '-_' | tr -d '=')\"";
    case SecretForm::Other: return "";
  }
  return "";
}

struct ScriptSecrets {
  const Redactor& redactor;
  std::vector<std::string> env;             // per secret of the matcher
  std::set<std::size_t> used;               // secrets the script reads
  bool unrebuildable = false;               // some occurrence is written as [REDACTED]

  // `raw` as one shell word: text single-quoted (redacted of headers and userinfo),
  // each secret occurrence as the expansion of its variable.
  std::string word(std::string_view raw) {
    std::string out;
    std::size_t done = 0;
    auto literal = [&](std::string_view text) {
      if (!text.empty()) out += report_text::shell_quote(redactor.text(text));
    };
    const SecretMatcher& m = redactor.matcher();
    for (auto match = m.find(raw, 0); match; match = m.find(raw, match->end)) {
      literal(raw.substr(done, match->begin - done));
      const std::string e = expansion(env[match->secret], match->form);
      if (e.empty()) {
        out += report_text::shell_quote(kRedacted);
        unrebuildable = true;
      } else {
        out += e;
        used.insert(match->secret);
      }
      done = match->end;
    }
    literal(raw.substr(done));
    return out.empty() ? "''" : out;
  }
};

}  // namespace

std::string render_curl_script(const ReportInput& raw) {
  using report_text::shell_quote;
  const Redactor redactor = redactor_for(raw);

  ScriptSecrets secrets{redactor, {}, {}, false};
  std::set<std::string> taken;
  for (const NamedSecret& s : redactor.matcher().secrets()) {
    std::string env = "RACECHECK_SECRET_" + env_suffix(s.name);
    for (int n = 2; !taken.insert(env).second; ++n) env = "RACECHECK_SECRET_" + env_suffix(s.name) + "_" + std::to_string(n);
    secrets.env.push_back(env);
  }

  std::map<int, std::vector<const ReproRequest*>> by_client;
  std::map<std::string, std::string> env_headers;  // env var -> header name
  for (const auto& r : raw.repro_requests) {
    by_client[r.client].push_back(&r);
    for (const auto& [name, value] : r.headers)
      if (redactor.is_redacted_header(name)) env_headers[header_env(name)] = name;
  }

  std::string commands;
  for (const auto& [client, requests] : by_client) {
    commands += "(\n";
    for (const ReproRequest* r : requests) {
      std::string line = "  curl -sS -X " + secrets.word(r->method);
      for (const auto& [name, value] : r->headers) {
        if (redactor.is_redacted_header(name)) line += " -H " + shell_quote(redactor.text(name) + ": ") + "\"${" + header_env(name) + "}\"";
        else line += " -H " + secrets.word(name + ": " + value);
      }
      if (!r->body.empty()) line += " --data-binary " + secrets.word(r->body);
      line += ' ';
      line += secrets.word(r->url);
      commands += line + "; echo\n";
    }
    commands += ") &  # client " + std::to_string(client) + "\n";
  }

  std::string out = "#!/bin/sh\n# racecheck: the minimal failing scenario as curl commands.\n";
  out += "# Target: " + redactor.text(raw.target) + "\n";
  out += "# Each client's requests run in order; clients run concurrently (not synchronized\n"
         "# to the byte like racecheck's burst, so a race may need several runs).\n";
  if (!env_headers.empty() || !secrets.used.empty()) {
    out += "# Secrets are not written here; set these environment variables first:\n";
    for (const std::size_t i : secrets.used) {
      const NamedSecret& s = redactor.matcher().secrets()[i];
      out += "#   " + secrets.env[i] + "  (" + (s.what == "secret" ? "secret " + redactor.text(s.name) : s.what) + ")\n";
    }
    for (const auto& [env, name] : env_headers) out += "#   " + env + "  (the whole " + redactor.text(name) + " header value)\n";
  }
  if (secrets.unrebuildable)
    out += "# Some secrets appear in an encoding this script cannot rebuild: they read [REDACTED].\n";
  out += "set -u\n";
  if (raw.repro_requests.empty()) return redactor.secrets_only(out + "# (no requests recorded)\n");
  if (!secrets.used.empty()) out += kEncoders;
  out += commands + "wait\n";
  // Last guard: the script's own text never carries a secret.
  return redactor.secrets_only(out);
}

}  // namespace racecheck
