#include "properties/op_fields.h"

#include <cmath>

namespace racecheck::fields {

std::optional<std::int64_t> optional_int(const Operation& op, const json& obj, const char* field) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  // nlohmann counts unsigned numbers as integers too: test unsigned first, or
  // 2^64-1 reads as -1.
  if (it->is_number_unsigned()) {
    const auto u = it->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX))
      throw ModelInputError(op.id, field, "integer out of range (above 2^63-1): " + it->dump());
    return static_cast<std::int64_t>(u);
  }
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (it->is_number_float()) {
    const double d = it->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) return static_cast<std::int64_t>(d);
    throw ModelInputError(op.id, field, "expected an integer, got " + it->dump());
  }
  throw ModelInputError(op.id, field, "expected an integer, got " + it->dump());
}

std::int64_t required_int(const Operation& op, const json& obj, const char* field) {
  auto v = optional_int(op, obj, field);
  if (!v) throw ModelInputError(op.id, field, "missing (" + op.f + " needs it)");
  return *v;
}

std::int64_t required_amount(const Operation& op, const char* field) {
  const std::int64_t v = required_int(op, op.input, field);
  if (v < 0) throw ModelInputError(op.id, field, "must not be negative, got " + std::to_string(v));
  return v;
}

std::string name_arg(const Operation& op, const char* field) {
  if (!op.input.is_object()) return "";
  auto it = op.input.find(field);
  if (it == op.input.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  throw ModelInputError(op.id, field, "expected a string or a number, got " + it->dump());
}

std::string resource_arg(const Operation& op, const char* field) {
  std::string name = name_arg(op, field);
  return name.empty() ? name_arg(op, "account") : name;
}

bool is_business_refusal(const std::string& error, std::initializer_list<const char*> refusal_errors) {
  if (error.empty()) return true;
  for (const char* e : refusal_errors)
    if (error == e) return true;
  return false;
}

namespace {
[[noreturn]] void overflow(int op_id, const std::string& what, const std::string& expression) {
  throw ArithmeticOverflow(op_id, "value", what + ": " + expression + " does not fit in a 64-bit integer");
}
}  // namespace

std::int64_t checked_add(std::int64_t a, std::int64_t b, int op_id, const std::string& what) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) overflow(op_id, what, std::to_string(a) + " + " + std::to_string(b));
  return r;
}

std::int64_t checked_sub(std::int64_t a, std::int64_t b, int op_id, const std::string& what) {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) overflow(op_id, what, std::to_string(a) + " - " + std::to_string(b));
  return r;
}

std::int64_t checked_neg(std::int64_t a, int op_id, const std::string& what) {
  return checked_sub(0, a, op_id, what);
}

std::int64_t checked_abs(std::int64_t a, int op_id, const std::string& what) {
  return a < 0 ? checked_neg(a, op_id, what) : a;
}

}  // namespace racecheck::fields
