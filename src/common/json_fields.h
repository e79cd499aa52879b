#pragma once
// Field readers for JSON that arrives from outside (engine answers, Telegram updates, cached
// transcripts): each says "absent or of the wrong type" with an empty result or the caller's
// default instead of throwing, so one odd field never costs more than that field. Templates
// because callers use both nlohmann::json and nlohmann::ordered_json (which keeps key order
// when writing). A value that is not an object reads as having no fields.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace tgscribe {

// Any JSON number (integer or floating), as a double.
template <class Json>
std::optional<double> number_field(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->template get<double>();
}

template <class Json>
double number_field_or(const Json& j, const char* key, double fallback) {
  return number_field(j, key).value_or(fallback);
}

// Integers only: 1.5 or "1" is not an id, a date or a count.
template <class Json>
std::optional<int64_t> integer_field(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->template get<int64_t>();
}

// "" when absent or not a string.
template <class Json>
std::string string_field(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->template get<std::string>();
}

// True only for a JSON `true`.
template <class Json>
bool bool_field(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->template get<bool>();
}

// The member when it is an object, else nullptr (array_field below for arrays).
template <class Json>
const Json* object_field(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? &*it : nullptr;
}

template <class Json>
const Json* array_field(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? &*it : nullptr;
}

}  // namespace tgscribe
