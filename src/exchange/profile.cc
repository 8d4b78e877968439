#include "exchange/profile.h"

#include <algorithm>
#include <set>
#include <utility>

namespace zg::exchange {
namespace {

// The engine's own members of a command or a result, never shared.
bool bookkeeping(std::string_view key) {
  return key == "id" || key == "type" || key == "received_at" || key == "seq" || key == "status" ||
         key == "shared";
}

// "{}", "[]", or a list of those: what a partial path kept of a member
// that had none of the fields below it.
bool nothing_kept(std::string_view json) {
  return json.find_first_not_of("{}[],") == std::string_view::npos;
}

// Whether a partial path can keep anything of `v`: only objects, or arrays
// holding some object or array, have members below them.
bool has_members(JsonRef v) {
  if (v.is_object()) return true;
  if (!v.is_array()) return false;
  for (JsonRef e : v) {
    if (e.is_object() || e.is_array()) return true;
  }
  return false;
}

class Sharer {
 public:
  explicit Sharer(const std::vector<std::string>& fields) : fields_(fields) {}

  // Writes the merge of `command` and `result` (the result wins) found at
  // `path`; `whole`: everything below is allowed.
  void value(JsonRef command, JsonRef result, const std::string& path, bool whole) {
    const JsonRef over = result.exists() ? result : command;
    const bool merge = command.exists() && result.exists() && command.kind() == result.kind() &&
                       (over.is_object() || (over.is_array() && command.size() == result.size()));
    const JsonRef base = merge ? command : JsonRef();
    if (over.is_object()) return object(base, over, path, whole);
    if (over.is_array()) return array(base, over, path, whole);
    append_canonical_json(out_, over);
  }

  std::string out_;
  std::set<std::string> dropped_;

 private:
  enum class Reach { kNone, kPart, kWhole };
  Reach reach(const std::string& path) const {
    Reach r = Reach::kNone;
    for (const std::string& f : fields_) {
      if (f == path) return Reach::kWhole;
      if (f.size() > path.size() && f.starts_with(path) && f[path.size()] == '.') r = Reach::kPart;
    }
    return r;
  }

  // `base` (the command's, may be missing) under `over` (the result's).
  void object(JsonRef base, JsonRef over, const std::string& path, bool whole) {
    const bool top = path.empty();
    std::vector<std::pair<std::string_view, std::pair<JsonRef, JsonRef>>> members;
    const auto add = [&](JsonRef m, bool from_result) {
      if (top && bookkeeping(m.key())) return;
      for (auto& [key, pair] : members) {
        if (key == m.key()) {
          (from_result ? pair.second : pair.first) = m;
          return;
        }
      }
      members.push_back({m.key(), from_result ? std::pair{JsonRef(), m} : std::pair{m, JsonRef()}});
    };
    if (base.is_object()) {
      for (JsonRef m : base) add(m, false);
    }
    for (JsonRef m : over) add(m, true);
    std::sort(members.begin(), members.end(),
              [](const auto& a, const auto& b) { return json_key_less(a.first, b.first); });
    out_.push_back('{');
    bool first = true;
    for (const auto& [key, pair] : members) {
      const std::string child = top ? std::string(key) : path + "." + std::string(key);
      const Reach r = whole ? Reach::kWhole : reach(child);
      const JsonRef v = pair.second.exists() ? pair.second : pair.first;
      if (r == Reach::kNone || (r == Reach::kPart && !has_members(v))) {
        dropped_.insert(child);
        continue;
      }
      const size_t mark = out_.size();
      if (!first) out_.push_back(',');
      append_json_string(out_, key);
      out_.push_back(':');
      const size_t value_at = out_.size();
      value(pair.first, pair.second, child, r == Reach::kWhole);
      // Under a partial path, a member left with nothing in it is dropped.
      if (r == Reach::kPart && nothing_kept(std::string_view(out_).substr(value_at))) {
        out_.resize(mark);
        dropped_.insert(child);
        continue;
      }
      first = false;
    }
    out_.push_back('}');
  }

  // Elements share their array's path; under a partial path only objects
  // (or arrays) have anything to keep.
  void array(JsonRef base, JsonRef over, const std::string& path, bool whole) {
    std::vector<JsonRef> below;
    if (base.is_array()) {
      for (JsonRef e : base) below.push_back(e);
    }
    out_.push_back('[');
    bool first = true;
    size_t i = 0;
    for (JsonRef e : over) {
      const JsonRef b = i < below.size() ? below[i] : JsonRef();
      ++i;
      if (!whole && !e.is_object() && !e.is_array()) {
        dropped_.insert(path);
        continue;
      }
      if (!first) out_.push_back(',');
      first = false;
      value(b, e, path, whole);
    }
    out_.push_back(']');
  }

  const std::vector<std::string>& fields_;
};

}  // namespace

SharedBody share_fields(JsonRef command, JsonRef result, const std::vector<std::string>& fields) {
  Sharer sharer(fields);
  if (command.is_object() || result.is_object()) {
    sharer.value(command.is_object() ? command : JsonRef(), result.is_object() ? result : JsonRef(),
                 "", false);
  } else {
    sharer.out_ = "{}";
  }
  SharedBody shared;
  shared.body = std::move(sharer.out_);
  shared.dropped.assign(sharer.dropped_.begin(), sharer.dropped_.end());
  return shared;
}

}  // namespace zg::exchange
