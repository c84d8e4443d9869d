// String helpers needed by more than one library.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace racecheck {

// ASCII lower case (header names, methods); other bytes unchanged.
std::string lower(std::string_view s);

// Without leading and trailing spaces, tabs, CR and LF.
std::string trim(std::string_view s);

// The items with `separator` between them.
std::string join(const std::vector<std::string>& items, std::string_view separator);

// The length of the valid UTF-8 sequence starting at s[i], or 0. Valid as JSON
// (and nlohmann's serializer) takes it: no overlong forms, no surrogates,
// nothing above U+10FFFF.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

}  // namespace racecheck
