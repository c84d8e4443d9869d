// Value conversions shared by templates ("{name|filter|filter}") and
// extractions ("convert": [...]); docs/spec.md, "Conversions". Every
// conversion is exact: integers are 64-bit checked, decimals are handled as
// text (never as floating point), a failure is an error, never a wrong value.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "properties/history.h"

namespace racecheck {

using json = nlohmann::json;

// A conversion cannot apply to a value ("abc" to integer, 2^63 to integer,
// "%%%" from base64). The message names the filter and the value.
struct ConversionError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Bytes that are not valid UTF-8 cannot be a JSON string (a history or a
// scenario is JSON), so such a value is the object {"$bytes": "<base64>"}.
// Bytes that are valid UTF-8 stay a plain string.
json bytes_value(std::string raw);
bool is_bytes_value(const json& value);
// The raw bytes of a string or of a bytes value; nullopt for anything else.
std::optional<std::string> raw_bytes(const json& value);

// Base64 in the standard or the URL-safe alphabet, padding optional (both
// are common in APIs); nullopt when malformed. Encoding is properties/history.h's
// base64_encode (standard alphabet, padded).
std::optional<std::string> decode_base64_any(std::string_view text);

// Percent-encodes every byte except RFC 3986's unreserved characters
// (A-Z a-z 0-9 - . _ ~). space_as_plus: a space becomes '+' (form bodies).
std::string percent_encode(std::string_view text, bool space_as_plus = false);

// "-123" -> -123: an optional '-' and 1-19 digits, no spaces or '+'; nullopt
// when it is not a decimal integer or does not fit in 64 bits.
std::optional<std::int64_t> parse_int64(std::string_view text);

// "" when `filter` is one of: string, integer, base64, base64-decode,
// urlencode, json, decimal:N (N 0-18); else the reason it is not.
std::string filter_problem(const std::string& filter);
const std::vector<std::string>& filter_names();

// Throws ConversionError.
json apply_filter(const json& value, const std::string& filter);
json apply_filters(json value, const std::vector<std::string>& filters);

// The integer a value converts to (a number, or a decimal-integer string);
// throws ConversionError.
std::int64_t to_int64(const json& value);

// One placeholder: "name", "name|f|g", "a-b|f", "a+b". Arithmetic is of two
// operands; a captured variable whose whole name holds '-' is looked up as is
// first (see the renderer), so "{order-id}" keeps working.
struct PlaceholderExpression {
  std::string name;                   // the text before the first '|'
  std::vector<std::string> operands;  // two for arithmetic, else empty
  char arithmetic = 0;                // '+', '-' or 0
  std::vector<std::string> filters;
};
// Throws std::invalid_argument naming an unknown filter or an empty part.
PlaceholderExpression parse_placeholder_expression(const std::string& inner);

// a + b or a - b; throws ConversionError on 64-bit overflow.
std::int64_t checked_arithmetic(std::int64_t a, char op, std::int64_t b);

}  // namespace racecheck
