// Reading a command's fields with their paths, collecting every error.
//
// Each accessor checks presence and type, records a contract error
// (missing_field, invalid_field, invalid_amount) under the field's full path,
// and returns a harmless default so reading can go on and report the rest.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/decimal.h"
#include "core/json.h"
#include "core/status.h"
#include "core/time.h"

namespace zg {

class Fields {
 public:
  // `object` must be a JSON object; `path` is its own path ("" for the
  // command, "items[2]" for an item).
  Fields(JsonRef object, std::string path, Status& errors)
      : object_(object), path_(std::move(path)), errors_(errors) {}

  std::string path_of(std::string_view key) const;
  void fail(ErrorCode code, std::string_view key, std::string message) {
    errors_.add(code, path_of(key), std::move(message));
  }

  // A string field; "" when missing or wrong (an error is recorded if required).
  std::string_view string(std::string_view key, bool required = true);
  // A boolean field; `fallback` when missing (an error if required).
  bool boolean(std::string_view key, bool required, bool fallback = false);
  // A decimal-string field at `scale`, > 0 when `positive`, >= 0 otherwise.
  // nullopt when missing (an error if required) or invalid.
  std::optional<int64_t> fixed(std::string_view key, int scale, int64_t max_units, bool required,
                               bool positive);
  // A date field ("2024-03-05"); nullopt when missing (an error if
  // required) or not a date ("<key>: <what is wrong>").
  std::optional<Date> date(std::string_view key, bool required = true);
  // An array field (nullopt and an error when missing and required, or not an array).
  std::optional<JsonRef> array(std::string_view key, bool required, uint32_t max_size);

 private:
  JsonRef object_;
  std::string path_;
  Status& errors_;
};

}  // namespace zg
