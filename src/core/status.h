// Status and Result: expected failures are values, never exceptions.
//
// The error codes are those of the command contract (../shared/contract/README.md):
// stable snake_case words that integrators match on. Extend the list, never rename.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace zg {

enum class ErrorCode : uint8_t {
  kMalformedJson,
  kMissingField,
  kInvalidField,
  kInvalidAmount,
  kUnknownType,
  kUnknownMovement,
  kUnknownPurpose,
  kInvalidUscc,
  kUnknownEnterprise,
  kNotInZone,
  kUnknownHsCode,
  kUnitMismatch,
  kUnknownCurrency,
  kNoRateForMonth,
  kProhibitedGoods,
  kLicenceRequired,
  kUnknownItem,
  kInsufficientStock,
  kIdConflict,
  kAtOutOfWindow,
  kForbidden,
  kUnknownDeclaration,
  kInvalidState,
  // Zonegate's additions to the contract's table.
  kNoPolicyInForce,    // the declaration's date is before every pack version
  kMixedGoodsStatus,   // one item line would draw lots of two goods statuses
  kNotEligible,        // e.g. exempt goods transferred to a non-approved importer
  kPolicyInvalid,      // a policy pack file is wrong (policy check, start-up)
  kIoError,            // a file could not be read or written
  kCorruption,         // stored data does not match its hash or sequence
  kUnsupportedFormat,  // a data directory of another format or program
  kUsage,              // the command line is wrong
  kUnavailable,        // the zone cannot take work now (busy, draining, journal failed)
  kUnknownChannel,     // a gate command names a channel the pack does not have
  kQuotaExhausted,     // the month's single-plate permits are all issued
  kUnknownTraveller,   // revocation or watch list for a traveller not enrolled
  kInvalidDocument,    // a travel document whose check digits or form fail
  kFenced,             // a journal write by a writer whose lease another node has taken
};

// The contract's word for a code, e.g. "unknown_hs_code".
std::string_view error_code_name(ErrorCode code);

// One thing wrong with a command: what (code), where (field path into the
// command, 0-based, e.g. "items[1].hs") and a sentence for people.
struct Error {
  ErrorCode code;
  std::string field;
  std::string message;
};

// A Status is OK or carries one or more errors. Commands report every error
// found at the same stage, so a broker fixes a declaration in one round trip.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string field, std::string message) {
    errors_.push_back(Error{code, std::move(field), std::move(message)});
  }
  static Status ok() { return {}; }

  bool is_ok() const { return errors_.empty(); }
  const std::vector<Error>& errors() const { return errors_; }
  // The first error; only valid when !is_ok().
  const Error& first() const { return errors_.front(); }

  void add(ErrorCode code, std::string field, std::string message) {
    errors_.push_back(Error{code, std::move(field), std::move(message)});
  }
  void merge(const Status& other) {
    errors_.insert(errors_.end(), other.errors_.begin(), other.errors_.end());
  }
  // The same errors with `prefix` put in front of each field path
  // ("hs" under "items[2]" becomes "items[2].hs").
  Status under(std::string_view prefix) const;

 private:
  std::vector<Error> errors_;
};

// Result<T>: a T or a non-OK Status; the shape of C++23 std::expected<T, Status>.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : value_(std::move(status)) {}  // NOLINT: implicit by design
  Result(ErrorCode code, std::string field, std::string message)
      : value_(Status(code, std::move(field), std::move(message))) {}

  bool is_ok() const { return std::holds_alternative<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T& value() & { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  const Status& status() const { return std::get<Status>(value_); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace zg
