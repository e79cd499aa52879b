#include "common/json_fields.h"

#include <gtest/gtest.h>

namespace tgscribe {
namespace {

using nlohmann::json;

const json kSample = json::parse(R"({
  "int": 42, "neg": -7, "float": 1.5, "str": "hi", "yes": true, "no": false,
  "null": null, "obj": {"a": 1}, "arr": [1, 2], "numstr": "12"
})");

TEST(JsonFields, NumbersReadIntegersAndFloatsAlike) {
  EXPECT_EQ(number_field(kSample, "int"), 42.0);
  EXPECT_EQ(number_field(kSample, "float"), 1.5);
  EXPECT_EQ(number_field(kSample, "numstr"), std::nullopt);
  EXPECT_EQ(number_field(kSample, "null"), std::nullopt);
  EXPECT_EQ(number_field(kSample, "missing"), std::nullopt);
  EXPECT_EQ(number_field_or(kSample, "float", 9), 1.5);
  EXPECT_EQ(number_field_or(kSample, "str", 9), 9);
  EXPECT_EQ(number_field_or(kSample, "missing", -1), -1);
}

TEST(JsonFields, IntegersRefuseFloatsAndStrings) {
  EXPECT_EQ(integer_field(kSample, "int"), 42);
  EXPECT_EQ(integer_field(kSample, "neg"), -7);
  EXPECT_EQ(integer_field(kSample, "float"), std::nullopt);
  EXPECT_EQ(integer_field(kSample, "numstr"), std::nullopt);
  EXPECT_EQ(integer_field(kSample, "missing"), std::nullopt);
}

TEST(JsonFields, StringsAreEmptyWhenAbsentOrOfAnotherType) {
  EXPECT_EQ(string_field(kSample, "str"), "hi");
  EXPECT_EQ(string_field(kSample, "int"), "");
  EXPECT_EQ(string_field(kSample, "null"), "");
  EXPECT_EQ(string_field(kSample, "missing"), "");
}

TEST(JsonFields, BoolIsTrueOnlyForJsonTrue) {
  EXPECT_TRUE(bool_field(kSample, "yes"));
  EXPECT_FALSE(bool_field(kSample, "no"));
  EXPECT_FALSE(bool_field(kSample, "int"));  // 42 is not true
  EXPECT_FALSE(bool_field(kSample, "str"));
  EXPECT_FALSE(bool_field(kSample, "missing"));
}

TEST(JsonFields, ObjectAndArrayMembersByType) {
  ASSERT_NE(object_field(kSample, "obj"), nullptr);
  EXPECT_EQ(integer_field(*object_field(kSample, "obj"), "a"), 1);
  EXPECT_EQ(object_field(kSample, "arr"), nullptr);
  EXPECT_EQ(object_field(kSample, "missing"), nullptr);
  ASSERT_NE(array_field(kSample, "arr"), nullptr);
  EXPECT_EQ(array_field(kSample, "arr")->size(), 2u);
  EXPECT_EQ(array_field(kSample, "obj"), nullptr);
}

TEST(JsonFields, NonObjectsHaveNoFields) {
  for (const json& j : {json(nullptr), json(3), json("str"), json::array({1, 2})}) {
    EXPECT_EQ(number_field(j, "x"), std::nullopt) << j.dump();
    EXPECT_EQ(integer_field(j, "x"), std::nullopt) << j.dump();
    EXPECT_EQ(string_field(j, "x"), "") << j.dump();
    EXPECT_FALSE(bool_field(j, "x")) << j.dump();
    EXPECT_EQ(object_field(j, "x"), nullptr) << j.dump();
  }
}

TEST(JsonFields, OrderedJsonReadsTheSame) {
  auto o = nlohmann::ordered_json::parse(R"({"s": "x", "n": 2.5, "i": 3})");
  EXPECT_EQ(string_field(o, "s"), "x");
  EXPECT_EQ(number_field(o, "n"), 2.5);
  EXPECT_EQ(integer_field(o, "i"), 3);
}

}  // namespace
}  // namespace tgscribe
