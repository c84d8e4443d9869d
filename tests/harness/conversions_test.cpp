// The value conversions of templates and extractions (harness/conversions.h):
// each filter on examples and at its limits, base64 and int64 text as
// RapidCheck properties, and the placeholder expression syntax.
#include <climits>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "harness/conversions.h"

namespace racecheck {
namespace {

json convert(const json& value, const std::string& filter) { return apply_filter(value, filter); }

TEST(Conversions, StringFilterTurnsNumbersAndBooleansIntoText) {
  EXPECT_EQ(convert(4, "string"), json("4"));
  EXPECT_EQ(convert(-9223372036854775807LL - 1, "string"), json("-9223372036854775808"));
  EXPECT_EQ(convert(true, "string"), json("true"));
  EXPECT_EQ(convert("x", "string"), json("x"));
  EXPECT_THROW(convert(json::object(), "string"), ConversionError);
  EXPECT_THROW(convert(bytes_value(std::string("\xff\x00", 2)), "string"), ConversionError);
}

TEST(Conversions, IntegerFilterReadsNumbersAndDecimalIntegerStringsExactly) {
  EXPECT_EQ(convert("4", "integer"), json(4));
  // gRPC-gateway sends int64 as strings: beyond 2^53 a double would round it.
  EXPECT_EQ(convert("9007199254740993", "integer").get<std::int64_t>(), 9007199254740993LL);
  EXPECT_EQ(convert("9223372036854775807", "integer").get<std::int64_t>(), INT64_MAX);
  EXPECT_EQ(convert("-9223372036854775808", "integer").get<std::int64_t>(), INT64_MIN);
  EXPECT_THROW(convert("9223372036854775808", "integer"), ConversionError);
  EXPECT_THROW(convert("-9223372036854775809", "integer"), ConversionError);
  EXPECT_THROW(convert("99999999999999999999", "integer"), ConversionError);
  EXPECT_THROW(convert(json(18446744073709551615ULL), "integer"), ConversionError);
  EXPECT_EQ(convert(json(9223372036854775807ULL), "integer").get<std::int64_t>(), INT64_MAX);
  for (const char* bad : {"", "-", "+4", " 4", "4 ", "4.0", "0x10", "1e3", "abc"}) {
    EXPECT_THROW(convert(bad, "integer"), ConversionError) << bad;
  }
  EXPECT_EQ(convert(4.0, "integer"), json(4));
  EXPECT_THROW(convert(4.5, "integer"), ConversionError);
  EXPECT_THROW(convert(1e300, "integer"), ConversionError);
  EXPECT_THROW(convert(nullptr, "integer"), ConversionError);
}

TEST(Conversions, Base64EncodesAndDecodesKnownVectors) {
  // RFC 4648, section 10.
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [raw, encoded] : vectors) {
    EXPECT_EQ(convert(raw, "base64"), json(encoded));
    EXPECT_EQ(convert(encoded, "base64-decode"), json(raw));
  }
  EXPECT_EQ(convert("Zm8", "base64-decode"), json("fo"));  // unpadded
  EXPECT_EQ(convert("-_8=", "base64-decode"), convert("+/8=", "base64-decode"));  // URL-safe alphabet
  for (const char* bad : {"Z", "Zm9v!", "Zg=", "Zg==Zg==", "Z==="}) {
    EXPECT_THROW(convert(bad, "base64-decode"), ConversionError) << bad;
  }
  // Bytes that are not UTF-8 stay bytes, and encode back to the same text.
  const json bytes = convert("/wA=", "base64-decode");
  EXPECT_TRUE(is_bytes_value(bytes));
  EXPECT_EQ(raw_bytes(bytes), std::string("\xff\x00", 2));
  EXPECT_EQ(convert(bytes, "base64"), json("/wA="));
  EXPECT_NO_THROW((void)bytes.dump());
}

RC_GTEST_PROP(Conversions, Base64RoundTripsEveryByteString, (const std::string& raw)) {
  const json encoded = apply_filter(bytes_value(raw), "base64");
  RC_ASSERT(raw_bytes(apply_filter(encoded, "base64-decode")) == raw);
  RC_ASSERT(encoded.get<std::string>().size() == (raw.size() + 2) / 3 * 4);
}

RC_GTEST_PROP(Conversions, Int64TextRoundTrips, (std::int64_t n)) {
  RC_ASSERT(convert(std::to_string(n), "integer").get<std::int64_t>() == n);
  RC_ASSERT(convert(convert(n, "string"), "integer").get<std::int64_t>() == n);
}

TEST(Conversions, UrlencodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(convert("a b&c=d/é~._-", "urlencode"), json("a%20b%26c%3Dd%2F%C3%A9~._-"));
  EXPECT_EQ(percent_encode("a b", /*space_as_plus=*/true), "a+b");
  EXPECT_EQ(percent_encode("a+b", /*space_as_plus=*/true), "a%2Bb");
}

TEST(Conversions, JsonFilterParsesAStringHoldingJson) {
  EXPECT_EQ(convert(R"({"v": [1, "2"]})", "json"), json::parse(R"({"v": [1, "2"]})"));
  EXPECT_THROW(convert("{not json", "json"), ConversionError);
  EXPECT_THROW(convert(4, "json"), ConversionError);
}

TEST(Conversions, DecimalFilterIsExactText) {
  EXPECT_EQ(convert(50, "decimal:2"), json("50.00"));
  EXPECT_EQ(convert("12.5", "decimal:2"), json("12.50"));
  EXPECT_EQ(convert(0.1, "decimal:2"), json("0.10"));
  EXPECT_EQ(convert("-0.010", "decimal:2"), json("-0.01"));
  EXPECT_EQ(convert("-0.00", "decimal:2"), json("0.00"));
  EXPECT_EQ(convert("1e2", "decimal:1"), json("100.0"));
  EXPECT_EQ(convert("007", "decimal:0"), json("7"));
  EXPECT_EQ(convert("92233720368547758.07", "decimal:2"), json("92233720368547758.07"));
  EXPECT_THROW(convert("12.345", "decimal:2"), ConversionError);  // never rounded
  EXPECT_THROW(convert("1e999", "decimal:2"), ConversionError);
  EXPECT_THROW(convert("abc", "decimal:2"), ConversionError);
  EXPECT_THROW(convert(nullptr, "decimal:2"), ConversionError);
}

TEST(Conversions, FilterNamesAreChecked) {
  for (const char* good : {"string", "integer", "base64", "base64-decode", "urlencode", "json", "decimal:0", "decimal:18"}) {
    EXPECT_EQ(filter_problem(good), "") << good;
  }
  EXPECT_NE(filter_problem("int").find("unknown filter \"int\""), std::string::npos);
  EXPECT_NE(filter_problem("decimal:19").find("decimal:N needs N 0-18"), std::string::npos);
  EXPECT_NE(filter_problem("decimal:N"), "");
  EXPECT_NE(filter_problem("decimal:"), "");
}

TEST(Conversions, PlaceholderExpressionsSplitFiltersAndArithmetic) {
  PlaceholderExpression e = parse_placeholder_expression("amount|integer|base64");
  EXPECT_EQ(e.name, "amount");
  EXPECT_EQ(e.filters, (std::vector<std::string>{"integer", "base64"}));
  EXPECT_EQ(e.arithmetic, 0);
  e = parse_placeholder_expression("balance-amount|string");
  EXPECT_EQ(e.arithmetic, '-');
  EXPECT_EQ(e.operands, (std::vector<std::string>{"balance", "amount"}));
  EXPECT_EQ(parse_placeholder_expression("a+b").arithmetic, '+');
  EXPECT_EQ(parse_placeholder_expression("secret:api-key").arithmetic, 0);
  EXPECT_THROW(parse_placeholder_expression("amount|int"), std::invalid_argument);
  EXPECT_THROW(parse_placeholder_expression("amount|"), std::invalid_argument);
  EXPECT_THROW(parse_placeholder_expression("|integer"), std::invalid_argument);
}

TEST(Conversions, ArithmeticIsSixtyFourBitChecked) {
  EXPECT_EQ(checked_arithmetic(7, '-', 9), -2);
  EXPECT_EQ(checked_arithmetic(INT64_MAX - 1, '+', 1), INT64_MAX);
  EXPECT_THROW(checked_arithmetic(INT64_MAX, '+', 1), ConversionError);
  EXPECT_THROW(checked_arithmetic(INT64_MIN, '-', 1), ConversionError);
}

}  // namespace
}  // namespace racecheck
