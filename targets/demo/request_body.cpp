#include "targets/demo/request_body.h"

#include <nlohmann/json.hpp>

#include "targets/demo/account_store.h"

namespace racecheck::demo {

std::int64_t parse_money_field(const std::string& body, const std::string& name,
                               bool required, std::int64_t fallback) {
  const std::string pointer = "/" + name;
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) throw BadRequest("body is not valid JSON");
  if (!parsed.is_object()) throw BadRequest("body must be a JSON object");
  auto it = parsed.find(name);
  if (it == parsed.end()) {
    if (required) throw BadRequest(pointer + " is missing");
    return fallback;
  }
  const nlohmann::json& value = *it;
  if (value.is_number_unsigned()) {
    if (value.get<std::uint64_t>() > static_cast<std::uint64_t>(kMaxMoney)) {
      throw BadRequest(pointer + " must be at most " + std::to_string(kMaxMoney));
    }
    return static_cast<std::int64_t>(value.get<std::uint64_t>());
  }
  if (value.is_number_integer()) {  // signed and not unsigned: negative
    throw BadRequest(pointer + " must not be negative, got " + value.dump());
  }
  throw BadRequest(pointer + " must be an integer, got " + value.dump());
}

}  // namespace racecheck::demo
