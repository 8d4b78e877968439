// Reading a pack version's policy.toml: the problems found, with their
// file and line, and typed settings. Shared by the pack loader's files
// (pack_loader.cc, risk_settings.cc); not for use outside src/policy.
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.h"
#include "core/status.h"

namespace zg::pack_detail {

namespace fs = std::filesystem;

// Collects "file:line: what" problems.
class Problems {
 public:
  void add(const std::string& where, std::string what) {
    status_.add(ErrorCode::kPolicyInvalid, where, std::move(what));
  }
  void add(const std::string& file, int line, std::string what) {
    add(file + ":" + std::to_string(line), std::move(what));
  }
  void add(const std::string& file, const toml::node& node, std::string what) {
    add(file, static_cast<int>(node.source().begin.line), std::move(what));
  }
  void merge(const Status& status) { status_.merge(status); }
  bool empty() const { return status_.is_ok(); }
  Status status() const { return status_; }

 private:
  Status status_;
};

bool read_file(const fs::path& path, std::string& out);

// The line a movement crosses (the contract's movement names; assess/
// treatment.h has the same table for the engine), 0 for any other text.
inline int movement_crossing_line(std::string_view movement) {
  if (movement == "first_line_entry" || movement == "first_line_exit") return 1;
  if (movement == "second_line_entry" || movement == "second_line_exit") return 2;
  return 0;
}

// Reads the typed settings of one version's policy.toml.
class VersionReader {
 public:
  VersionReader(const fs::path& dir, const std::string& file, const toml::table& root,
                Problems& problems)
      : dir_(dir), file_(file), root_(root), problems_(problems) {}

  const toml::node* node(std::string_view section, std::string_view key) const {
    const toml::table* table = root_[section].as_table();
    return table == nullptr ? nullptr : table->get(key);
  }

  std::string string(std::string_view section, std::string_view key, std::string fallback,
                     bool required = false) {
    const toml::node* n = node(section, key);
    if (n == nullptr) {
      if (required)
        problems_.add(file_, "[" + std::string(section) + "] " + std::string(key) + " is missing");
      return fallback;
    }
    if (auto v = n->value<std::string>()) return *v;
    problems_.add(file_, *n, std::string(section) + "." + std::string(key) + " must be a string");
    return fallback;
  }

  bool boolean(std::string_view section, std::string_view key, bool fallback) {
    const toml::node* n = node(section, key);
    if (n == nullptr) return fallback;
    if (auto v = n->value<bool>()) return *v;
    problems_.add(file_, *n,
                  std::string(section) + "." + std::string(key) + " must be true or false");
    return fallback;
  }

  int64_t integer(std::string_view section, std::string_view key, int64_t fallback) {
    const toml::node* n = node(section, key);
    if (n == nullptr) return fallback;
    if (auto v = n->value<int64_t>()) return *v;
    problems_.add(file_, *n, std::string(section) + "." + std::string(key) + " must be an integer");
    return fallback;
  }

  // A decimal string setting ("0.30", "50.00").
  int64_t fixed(std::string_view section, std::string_view key, int scale, int64_t fallback) {
    const toml::node* n = node(section, key);
    if (n == nullptr) return fallback;
    auto v = n->value<std::string>();
    if (!v) {
      problems_.add(file_, *n,
                    std::string(section) + "." + std::string(key) +
                        " must be a decimal string, e.g. \"0.30\"");
      return fallback;
    }
    Result<int64_t> parsed = parse_fixed(*v, scale, kAmountMinorMax, false);
    if (!parsed.is_ok()) {
      problems_.add(
          file_, *n,
          std::string(section) + "." + std::string(key) + ": " + parsed.status().first().message);
      return fallback;
    }
    return *parsed;
  }

  std::vector<std::string> strings(std::string_view section, std::string_view key,
                                   std::vector<std::string> fallback) {
    const toml::node* n = node(section, key);
    if (n == nullptr) return fallback;
    const toml::array* array = n->as_array();
    std::vector<std::string> out;
    if (array != nullptr) {
      for (const toml::node& element : *array) {
        if (auto v = element.value<std::string>()) {
          out.push_back(*v);
        } else {
          array = nullptr;
          break;
        }
      }
    }
    if (array == nullptr) {
      problems_.add(file_, *n,
                    std::string(section) + "." + std::string(key) + " must be a list of strings");
      return fallback;
    }
    return out;
  }

  // Reads a file named by a setting, relative to the version's directory.
  bool file_text(std::string_view section, std::string_view key, bool required, std::string& text,
                 std::string& display) {
    const std::string name = string(section, key, "", required);
    if (name.empty()) {
      if (required && node(section, key) != nullptr) {
        problems_.add(file_, *node(section, key),
                      std::string(section) + "." + std::string(key) + " must name a file");
      }
      return false;
    }
    if (!inside_version(name)) {
      problems_.add(file_, *node(section, key),
                    std::string(section) + "." + std::string(key) +
                        " must name a file inside the version's directory (it is part of the "
                        "pack and of its hash)");
      return false;
    }
    const fs::path path = dir_ / name;
    display = path.lexically_normal().string();
    if (!read_file(path, text)) {
      problems_.add(file_, *node(section, key), "cannot read " + display);
      return false;
    }
    return true;
  }

  // Whether a file name the pack gives stays inside the version's directory:
  // relative, without "..". A file outside would not be hashed with the
  // pack nor kept in the data directory, so replay could not find it.
  static bool inside_version(std::string_view name) {
    const fs::path path(name);
    if (path.is_absolute() || path.has_root_name()) return false;
    for (const fs::path& part : path) {
      if (part == "..") return false;
    }
    return true;
  }

  // Reads a file the pack names, relative to the version's directory.
  bool read_relative(std::string_view name, std::string& text, std::string& display) const {
    const fs::path path = dir_ / name;
    display = path.lexically_normal().string();
    return read_file(path, text);
  }

  const std::string& file() const { return file_; }
  Problems& problems() { return problems_; }
  const toml::table& root() const { return root_; }

 private:
  fs::path dir_;
  std::string file_;
  const toml::table& root_;
  Problems& problems_;
};

// Problems for the keys of `table` not in `keys` (a typo is not ignored).
void check_table_keys(const toml::table& table, const std::vector<std::string_view>& keys,
                      const std::string& where, const std::string& file, Problems& problems);

}  // namespace zg::pack_detail
