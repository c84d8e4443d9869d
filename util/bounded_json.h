// Parsing JSON that came from outside (a target's response body, a history
// line, a spec) with a nesting limit. nlohmann parses and destroys values
// iteratively, but copying, comparing and printing them recurse: a body of
// 100000 '[' would parse fine and then overflow the stack wherever it is copied.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace racecheck {

inline constexpr int kMaxJsonDepth = 128;

// The parsed value, or a discarded value (is_discarded()) when the text is not
// JSON or nests deeper than kMaxJsonDepth; *too_deep (if given) says which.
inline nlohmann::json parse_bounded_json(std::string_view text, bool* too_deep = nullptr) {
  bool deep = false;
  nlohmann::json parsed = nlohmann::json::parse(
      text.begin(), text.end(),
      [&deep](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
        if (depth > kMaxJsonDepth) deep = true;
        return true;
      },
      /*allow_exceptions=*/false);
  if (too_deep != nullptr) *too_deep = deep && !parsed.is_discarded();
  if (deep) return nlohmann::json(nlohmann::json::value_t::discarded);
  return parsed;
}

}  // namespace racecheck
