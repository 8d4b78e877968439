#include "engine/fields.h"

namespace zg {

std::string Fields::path_of(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  std::string out = path_;
  out += '.';
  out += key;
  return out;
}

std::string_view Fields::string(std::string_view key, bool required) {
  const JsonRef value = object_.get(key);
  if (!value.exists()) {
    if (required) fail(ErrorCode::kMissingField, key, std::string(key) + " is required");
    return {};
  }
  if (!value.is_string()) {
    fail(ErrorCode::kInvalidField, key,
         std::string(key) + " must be a string, not " + std::string(json_kind_name(value.kind())));
    return {};
  }
  if (required && value.text().empty()) {
    fail(ErrorCode::kInvalidField, key, std::string(key) + " must not be empty");
  }
  return value.text();
}

bool Fields::boolean(std::string_view key, bool required, bool fallback) {
  const JsonRef value = object_.get(key);
  if (!value.exists()) {
    if (required) fail(ErrorCode::kMissingField, key, std::string(key) + " is required");
    return fallback;
  }
  if (!value.is_bool()) {
    fail(ErrorCode::kInvalidField, key,
         std::string(key) + " must be true or false, not " +
             std::string(json_kind_name(value.kind())));
    return fallback;
  }
  return value.as_bool();
}

std::optional<int64_t> Fields::fixed(std::string_view key, int scale, int64_t max_units,
                                     bool required, bool positive) {
  const JsonRef value = object_.get(key);
  if (!value.exists()) {
    if (required) fail(ErrorCode::kMissingField, key, std::string(key) + " is required");
    return std::nullopt;
  }
  if (!value.is_string()) {
    fail(ErrorCode::kInvalidField, key,
         std::string(key) + " must be a decimal string such as \"12.50\", not " +
             std::string(json_kind_name(value.kind())));
    return std::nullopt;
  }
  Result<int64_t> parsed = parse_fixed(value.text(), scale, max_units, /*allow_negative=*/false);
  if (!parsed.is_ok()) {
    const Error& e = parsed.status().first();
    fail(e.code, key, std::string(key) + ": " + e.message);
    return std::nullopt;
  }
  if (positive && *parsed == 0) {
    fail(ErrorCode::kInvalidAmount, key, std::string(key) + " must be greater than zero");
    return std::nullopt;
  }
  return *parsed;
}

std::optional<Date> Fields::date(std::string_view key, bool required) {
  const std::string_view text = string(key, required);
  if (text.empty()) return std::nullopt;
  Result<Date> parsed = parse_date(text);
  if (!parsed.is_ok()) {
    fail(ErrorCode::kInvalidField, key, std::string(key) + ": " + parsed.status().first().message);
    return std::nullopt;
  }
  return *parsed;
}

std::optional<JsonRef> Fields::array(std::string_view key, bool required, uint32_t max_size) {
  const JsonRef value = object_.get(key);
  if (!value.exists()) {
    if (required) fail(ErrorCode::kMissingField, key, std::string(key) + " is required");
    return std::nullopt;
  }
  if (!value.is_array()) {
    fail(ErrorCode::kInvalidField, key,
         std::string(key) + " must be an array, not " + std::string(json_kind_name(value.kind())));
    return std::nullopt;
  }
  if (required && value.size() == 0) {
    fail(ErrorCode::kInvalidField, key, std::string(key) + " must not be empty");
    return std::nullopt;
  }
  if (value.size() > max_size) {
    fail(ErrorCode::kInvalidField, key,
         std::string(key) + " has " + std::to_string(value.size()) + " entries; at most " +
             std::to_string(max_size) + " are allowed");
    return std::nullopt;
  }
  return value;
}

}  // namespace zg
