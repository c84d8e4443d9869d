// Redaction: secrets never reach a report. Applied to the whole ReportInput before
// any renderer formats it, and once more to each rendered file as a last guard.
//
// A secret leaves racecheck in whatever encoding its context gave it: raw,
// percent-encoded in a path or form (%xx in either case, '+' for a space),
// JSON-escaped in a body or an echoed response (\/, \", \\, \n, \uXXXX for any
// character, surrogate pairs beyond the BMP), HTML/XML-escaped in the HTML report
// and the JUnit file, shell-quoted in the curl script, or base64-encoded (standard
// or URL-safe, padded or not, alone or inside a longer base64 text such as a Basic
// credential). SecretMatcher accepts each character of a secret in any of its
// encodings independently, so a mix of them matches too; the base64 forms are
// extra literal patterns. URL userinfo (scheme://user:password@host) is redacted
// wherever a URL appears.
#pragma once

#include <array>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/reports.h"

namespace racecheck {

inline constexpr std::string_view kRedacted = "[REDACTED]";

struct NamedSecret {
  std::string name;   // for the curl script's RACECHECK_SECRET_<NAME> variable
  std::string value;
  std::string what = "secret";  // what it is, for the curl script's list of variables
};

// How a matched occurrence encodes its secret (what the curl script must apply
// to the environment variable's value to rebuild it).
enum class SecretForm {
  Raw,           // the bytes of the secret
  Percent,       // percent-encoded (possibly mixed with raw characters)
  JsonEscaped,   // JSON string escapes (possibly mixed with raw characters)
  Base64,             // standard alphabet, padded
  Base64Unpadded,
  Base64Url,          // URL-safe alphabet ('-', '_'), padded
  Base64UrlUnpadded,
  Other,         // any other mix, or a fragment of a longer base64 text
};

class SecretMatcher {
 public:
  explicit SecretMatcher(std::vector<NamedSecret> secrets);

  struct Match {
    std::size_t begin = 0, end = 0;
    std::size_t secret = 0;  // index into secrets()
    SecretForm form = SecretForm::Other;
  };
  // The leftmost occurrence at or after `from` (the longest one starting there).
  std::optional<Match> find(std::string_view text, std::size_t from) const;
  // Every occurrence replaced by kRedacted.
  std::string redact(std::string_view text) const;
  const std::vector<NamedSecret>& secrets() const { return secrets_; }
  bool empty() const { return patterns_.empty(); }

 private:
  struct Alternative {
    std::string text;
    bool fold_case;  // escapes: hex digits and entity names in either case
  };
  struct Pattern {
    std::size_t secret;
    SecretForm form;  // Raw for the per-character pattern: refined from the matched text
    std::vector<std::vector<Alternative>> units;  // one unit per character of the secret
    std::array<bool, 256> first_byte{};           // bytes its first unit can start with
  };
  std::size_t match_at(const Pattern& p, std::string_view text, std::size_t at) const;  // end, or npos

  std::vector<NamedSecret> secrets_;
  std::vector<Pattern> patterns_;
  std::array<bool, 256> first_byte_{};  // bytes any pattern can start with
};

// "scheme://user:password@host" -> "scheme://user:[REDACTED]@host"; a userinfo
// without a password (a token used as the user name) is redacted whole. Also in
// JSON-escaped URLs ("scheme:\/\/...").
std::string redact_url_userinfo(std::string_view text);
// The credentials found in URLs' userinfo (percent-decoded): password, or the
// user when there is no password.
std::vector<std::string> url_userinfo_credentials(std::string_view text);

class Redactor {
 public:
  Redactor(std::vector<std::string> secrets, std::vector<std::string> header_names);
  static Redactor named(std::vector<NamedSecret> secrets, std::vector<std::string> header_names);

  // Secrets in any encoding and URL userinfo replaced; "Authorization: x",
  // "Cookie=x", "\"Cookie\":\"x\"" style header values replaced (case-insensitive
  // header names).
  std::string text(std::string_view s) const;
  // Secrets and URL userinfo only: the last guard over a rendered file, whose own
  // markup may mention a header name.
  std::string secrets_only(std::string_view s) const;
  // Recursively: string values and member names through text(); members named like
  // a redacted header get a redacted value whatever their type.
  nlohmann::json value(const nlohmann::json& j) const;
  // As value(), with secrets_only().
  nlohmann::json value_secrets_only(const nlohmann::json& j) const;
  bool is_redacted_header(std::string_view name) const;
  // Every string field of the input (secrets themselves are dropped from the copy).
  ReportInput input(const ReportInput& in) const;
  const SecretMatcher& matcher() const { return matcher_; }

 private:
  Redactor(SecretMatcher matcher, std::vector<std::string> header_names);
  nlohmann::json value_with(const nlohmann::json& j, bool headers) const;

  SecretMatcher matcher_;
  std::vector<std::string> headers_lower_;
  std::regex header_pattern_;
  bool has_headers_ = false;
};

// The input's secrets (named by secret_names, else SECRET_<n>) and the credentials
// in the userinfo of its target, command and request URLs (URL_CREDENTIAL_<n>;
// shorter than 4 bytes they are redacted in URLs only, not everywhere).
std::vector<NamedSecret> secrets_of(const ReportInput& in);
// Redactor built from secrets_of(in) and the input's header names.
Redactor redactor_for(const ReportInput& in);

}  // namespace racecheck
