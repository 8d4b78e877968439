// zonegate audit: the zone's Merkle log (RFC 6962) and signed tree heads.
//
//   zonegate audit public-key --data DIR
//   zonegate audit sth --data DIR [--all]
//   zonegate audit prove --data DIR --index I [--size N]
//   zonegate audit consistency --data DIR --size1 A --size2 B
//   zonegate audit verify-inclusion --index I --size N --leaf-hash HEX --root HEX --proof HEX,...
//   zonegate audit verify-consistency --size1 A --size2 B --root1 HEX --root2 HEX --proof HEX,...
//   zonegate audit verify-tree-head --public-key HEX [--witness-keys HEX,... --require K] [FILE|-]
//   zonegate audit witness-key --key FILE            (a witness's key: made if absent)
//   zonegate audit cosign --key FILE --zone-key HEX --state FILE [--proof HEX,...] HEAD.json
//
// The verify-* commands need no data directory: an auditor runs them offline
// with the zone's public key and a tree head. Exit 0 when the proof holds, 1
// with the reason when it does not, 2 on a usage error.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <string>

#include "audit/merkle.h"
#include "audit/tree_head.h"
#include "cli/commands.h"
#include "core/durable_file.h"
#include "core/json.h"
#include "core/time.h"
#include "durable/data_dir.h"

namespace zg::cli {
namespace audit_cmd {  // this command's own names (commands.h says why)
namespace {

int usage() {
  std::fputs(
      "usage: zonegate audit public-key --data DIR\n"
      "       zonegate audit sth --data DIR [--all]\n"
      "       zonegate audit prove --data DIR --index I [--size N]\n"
      "       zonegate audit consistency --data DIR --size1 A --size2 B\n"
      "       zonegate audit verify-inclusion --index I --size N --leaf-hash HEX --root HEX "
      "--proof HEX,...\n"
      "       zonegate audit verify-consistency --size1 A --size2 B --root1 HEX --root2 HEX "
      "--proof HEX,...\n"
      "       zonegate audit verify-tree-head --public-key HEX [--witness-keys HEX,... --require "
      "K] [FILE|-]\n"
      "       zonegate audit witness-key --key FILE\n"
      "       zonegate audit cosign --key FILE --zone-key HEX --state FILE [--proof HEX,...] "
      "HEAD.json\n",
      stderr);
  return 2;
}

// --key value pairs (and flags without a value: --all), plus positional arguments.
struct Options {
  std::map<std::string, std::string, std::less<>> values;
  std::vector<std::string> positional;
  bool has(std::string_view key) const { return values.count(key) != 0; }
  const std::string& get(std::string_view key) const {
    static const std::string none;
    auto it = values.find(key);
    return it == values.end() ? none : it->second;
  }
};

bool parse(const Args& args, Options& out) {
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--all") {
      out.values["--all"] = "";
    } else if (a.starts_with("--")) {
      if (i + 1 >= args.size()) return false;
      out.values[std::string(a)] = std::string(args[++i]);
    } else {
      out.positional.emplace_back(a);
    }
  }
  return true;
}

// A size or index: digits only.
bool number(const Options& o, std::string_view key, uint64_t& out) {
  const std::string& text = o.get(key);
  if (text.empty() || text.size() > 19 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    std::fprintf(stderr, "zonegate audit: %s wants a whole number\n", std::string(key).c_str());
    return false;
  }
  out = std::stoull(text);
  return true;
}

bool hash(const Options& o, std::string_view key, audit::Hash& out) {
  Result<audit::Hash> parsed = audit::parse_hash(o.get(key));
  if (!parsed.is_ok()) {
    std::fprintf(stderr, "zonegate audit: %s: %s\n", std::string(key).c_str(),
                 parsed.status().first().message.c_str());
    return false;
  }
  out = *parsed;
  return true;
}

// "--proof a,b,c" ('' for an empty proof).
bool proof(const Options& o, std::vector<audit::Hash>& out) {
  if (!o.has("--proof")) {
    std::fputs("zonegate audit: --proof is required ('' for an empty proof)\n", stderr);
    return false;
  }
  const std::string& text = o.get("--proof");
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    Result<audit::Hash> h = audit::parse_hash(std::string_view(text).substr(start, comma - start));
    if (!h.is_ok()) {
      std::fprintf(stderr, "zonegate audit: --proof component %zu: %s\n", out.size() + 1,
                   h.status().first().message.c_str());
      return false;
    }
    out.push_back(*h);
    start = comma + 1;
    if (comma + 1 == text.size()) {
      std::fputs("zonegate audit: --proof ends with a comma\n", stderr);
      return false;
    }
  }
  return true;
}

void write_hashes(JsonWriter& w, std::string_view key, const std::vector<audit::Hash>& hashes) {
  w.key(key).begin_array();
  for (const audit::Hash& h : hashes) w.string(audit::hash_hex(h));
  w.end_array();
}

int verdict(const Status& status, const char* what) {
  if (status.is_ok()) {
    std::printf("%s holds\n", what);
    return 0;
  }
  std::printf("%s does not hold: %s\n", what, status.first().message.c_str());
  return 1;
}

// The data directory and its audit log (the zone named by the last pack).
struct Opened {
  std::unique_ptr<DataDir> dir;
  AuditLog* audit = nullptr;
};

bool open(const Options& o, Opened& out) {
  if (!o.has("--data")) return false;
  Result<std::unique_ptr<DataDir>> dir = DataDir::open(o.get("--data"), false);
  if (!dir.is_ok()) {
    report(dir.status());
    return false;
  }
  out.dir = std::move(dir).value();
  std::string zone;
  Result<std::string> hash = out.dir->journal().get_meta("last_pack");
  if (hash.is_ok() && !hash->empty()) {
    if (Result<const PolicyPack*> pack = out.dir->pack(*hash); pack.is_ok()) {
      zone = (*pack)->zone_id;
    }
  }
  Result<AuditLog*> audit = out.dir->audit_log(zone);
  if (!audit.is_ok()) {
    report(audit.status());
    return false;
  }
  out.audit = *audit;
  return true;
}

std::string public_key_hex(const DataDir& dir) {
  if (dir.signing_key() == nullptr) return "";
  const gate::PublicKey key = dir.signing_key()->public_key();
  return audit::bytes_hex(key.data(), key.size());
}

bool read_input(const Options& o, std::string& text) {
  if (o.positional.empty() || o.positional[0] == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
    return true;
  }
  std::ifstream in(o.positional[0]);
  if (!in) {
    std::fprintf(stderr, "zonegate audit: cannot read %s\n", o.positional[0].c_str());
    return false;
  }
  text.assign(std::istreambuf_iterator<char>(in), {});
  return true;
}

// A witness's check before it cosigns: the zone signed `head`, and it extends
// the last head this witness cosigned (kept in `state_path`), by `proof`.
Status check_head_for_witness(const audit::TreeHead& head, const gate::PublicKey& zone_key,
                              const std::string& state_path,
                              const std::vector<audit::Hash>& proof) {
  Status signed_by_zone = audit::verify_tree_head(head, zone_key);
  if (!signed_by_zone.is_ok()) return signed_by_zone;
  std::ifstream in(state_path);
  if (!in) {
    // Only a state that does not exist yet means "the first head"; one that
    // cannot be read must not make the witness forget what it signed.
    if (errno == ENOENT) return Status::ok();
    return Status(ErrorCode::kIoError, "", "cannot read " + state_path);
  }
  std::string text((std::istreambuf_iterator<char>(in)), {});
  Result<audit::TreeHead> last = audit::parse_tree_head_json(text);
  if (!last.is_ok()) {
    return Status(ErrorCode::kCorruption, "", state_path + ": " + last.status().first().message);
  }
  if (head.zone != last->zone) return Status(ErrorCode::kInvalidField, "", "another zone's head");
  if (head.size < last->size) {
    return Status(ErrorCode::kInvalidField, "",
                  "the head is smaller (" + std::to_string(head.size) +
                      ") than the last one cosigned (" + std::to_string(last->size) +
                      "): the zone would be rolling its log back");
  }
  return audit::verify_consistency(last->size, head.size, last->root, head.root, proof);
}

}  // namespace
}  // namespace audit_cmd

int audit_command(const Args& args) {
  using namespace audit_cmd;
  if (args.empty()) return usage();
  const std::string_view what = args[0];
  Options o;
  if (!parse(args, o)) return usage();

  if (what == "verify-inclusion") {
    uint64_t index = 0, size = 0;
    audit::Hash leaf{}, root{};
    std::vector<audit::Hash> path;
    if (!number(o, "--index", index) || !number(o, "--size", size) ||
        !hash(o, "--leaf-hash", leaf) || !hash(o, "--root", root) || !proof(o, path)) {
      return usage();
    }
    return verdict(audit::verify_inclusion(index, size, leaf, path, root), "inclusion");
  }
  if (what == "verify-consistency") {
    uint64_t size1 = 0, size2 = 0;
    audit::Hash root1{}, root2{};
    std::vector<audit::Hash> path;
    if (!number(o, "--size1", size1) || !number(o, "--size2", size2) ||
        !hash(o, "--root1", root1) || !hash(o, "--root2", root2) || !proof(o, path)) {
      return usage();
    }
    return verdict(audit::verify_consistency(size1, size2, root1, root2, path), "consistency");
  }
  if (what == "verify-tree-head") {
    Result<gate::PublicKey> key = audit::parse_public_key(o.get("--public-key"));
    if (!key.is_ok()) {
      std::fprintf(stderr, "zonegate audit: --public-key: %s\n",
                   key.status().first().message.c_str());
      return 2;
    }
    std::string text;
    if (!read_input(o, text)) return 2;
    Result<audit::TreeHead> head = audit::parse_tree_head_json(text);
    if (!head.is_ok()) return verdict(head.status(), "tree head");
    // --witness-keys and --require come together: a requirement with no
    // witnesses named (or witnesses with no requirement) checks nothing.
    if (o.has("--witness-keys") != o.has("--require")) {
      std::fputs("zonegate audit: --witness-keys and --require go together\n", stderr);
      return usage();
    }
    Status zone_signed = audit::verify_tree_head(*head, *key);
    if (!zone_signed.is_ok() || !o.has("--witness-keys")) return verdict(zone_signed, "tree head");
    // k of the named witnesses must have cosigned this very head.
    uint64_t required = 0;
    if (!number(o, "--require", required) || required == 0) {
      std::fputs("zonegate audit: --require is a number of witnesses, 1 or more\n", stderr);
      return usage();
    }
    Result<std::vector<audit::Cosignature>> cosignatures = audit::parse_cosignatures_json(text);
    if (!cosignatures.is_ok()) return verdict(cosignatures.status(), "tree head");
    uint64_t valid = 0;
    std::set<gate::PublicKey> named;  // a witness named twice counts once
    const std::string& list = o.get("--witness-keys");
    for (size_t start = 0; start < list.size();) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      Result<gate::PublicKey> witness = audit::parse_public_key(list.substr(start, comma - start));
      if (!witness.is_ok()) {
        std::fprintf(stderr, "zonegate audit: --witness-keys: %s\n",
                     witness.status().first().message.c_str());
        return 2;
      }
      start = comma + 1;
      if (!named.insert(*witness).second) continue;
      for (const audit::Cosignature& c : *cosignatures) {
        if (c.witness == *witness && audit::verify_cosignature(*head, c)) {
          ++valid;
          break;
        }
      }
    }
    if (valid < required) {
      return verdict(Status(ErrorCode::kInvalidField, "",
                            std::to_string(valid) + " of the named witnesses cosigned it; " +
                                std::to_string(required) + " are required"),
                     "tree head");
    }
    std::printf("%llu witness cosignature(s) hold\n", static_cast<unsigned long long>(valid));
    return verdict(Status::ok(), "tree head");
  }
  if (what == "witness-key") {
    if (!o.has("--key")) return usage();
    Result<gate::SigningKey> key = gate::load_or_create_signing_key(o.get("--key"));
    if (!key.is_ok()) return report(key.status());
    const gate::PublicKey public_key = key->public_key();
    std::printf("%s\n", audit::bytes_hex(public_key.data(), public_key.size()).c_str());
    return 0;
  }
  if (what == "cosign") {
    Result<gate::PublicKey> zone_key = audit::parse_public_key(o.get("--zone-key"));
    std::vector<audit::Hash> path;
    if (!zone_key.is_ok() || !o.has("--key") || !o.has("--state")) return usage();
    if (o.has("--proof") && !proof(o, path)) return usage();
    std::string text;
    if (!read_input(o, text)) return 2;
    Result<audit::TreeHead> head = audit::parse_tree_head_json(text);
    if (!head.is_ok()) return verdict(head.status(), "tree head");
    Status fits = check_head_for_witness(*head, *zone_key, o.get("--state"), path);
    if (!fits.is_ok()) return verdict(fits, "the head's history");
    Result<gate::SigningKey> key = gate::load_or_create_signing_key(o.get("--key"));
    if (!key.is_ok()) return report(key.status());
    const audit::Cosignature c = audit::cosign_tree_head(*key, *head);
    // Remember the head before handing out the cosignature: a witness never
    // signs two histories.
    Status remembered = write_file_durably(o.get("--state"), audit::tree_head_json(*head) + "\n",
                                           0644, Replace::kAllowed);
    if (!remembered.is_ok()) return report(remembered);
    const std::string witness = audit::bytes_hex(c.witness.data(), c.witness.size());
    std::string command;
    JsonWriter w(command);
    w.begin_object().field("type", "cosign_tree_head");
    w.field("id", "cosign-" + witness.substr(0, 16) + "-" + std::to_string(head->size));
    w.field("at", format_rfc3339(Timestamp{wall_clock_ms() / 1000, 0}));
    w.key("tree_head").raw(audit::tree_head_json(*head));
    w.field("witness", witness);
    w.field("signature", audit::bytes_hex(c.signature.data(), c.signature.size()));
    w.end_object();
    std::printf("%s\n", command.c_str());
    return 0;
  }

  Opened z;
  if (!open(o, z)) return usage();
  if (what == "public-key") {
    const std::string hex = public_key_hex(*z.dir);
    if (hex.empty()) {
      std::fputs("zonegate audit: this zone has no signing key yet\n", stderr);
      return 1;
    }
    std::printf("%s\n", hex.c_str());
    return 0;
  }
  if (what == "sth") {
    const std::vector<audit::TreeHead> heads = z.audit->tree_heads();
    // The witnesses' cosignatures are zone state: rebuild it (from the newest snapshot).
    std::unique_ptr<DataDir> replay_dir;
    Result<DataDir::Replayed> replayed = open_and_replay(o.get("--data"), false, replay_dir, false);
    if (!replayed.is_ok()) return report(replayed.status());
    const auto with_cosignatures = [&](const audit::TreeHead& head) {
      std::string json = audit::tree_head_json(head);
      json.pop_back();
      json += ",\"cosignatures\":[";
      if (replayed->engine != nullptr) {
        const auto& all = replayed->engine->state().cosignatures;
        if (auto it = all.find(head.size); it != all.end() && it->second.root == head.root &&
                                           it->second.timestamp_ms == head.timestamp_ms) {
          for (size_t i = 0; i < it->second.cosignatures.size(); ++i) {
            const audit::Cosignature& c = it->second.cosignatures[i];
            json += std::string(i == 0 ? "" : ",") + "{\"witness\":\"" +
                    audit::bytes_hex(c.witness.data(), c.witness.size()) + "\",\"signature\":\"" +
                    audit::bytes_hex(c.signature.data(), c.signature.size()) + "\"}";
          }
        }
      }
      return json + "]}";
    };
    if (heads.empty()) {
      std::fputs("zonegate audit: no tree head yet (the journal is empty)\n", stderr);
      return 1;
    }
    if (o.has("--all")) {
      for (const audit::TreeHead& head : heads) {
        std::printf("%s\n", with_cosignatures(head).c_str());
      }
    } else {
      std::printf("%s\n", with_cosignatures(heads.back()).c_str());
    }
    return 0;
  }
  if (what == "prove") {
    uint64_t index = 0, size = z.audit->size();
    if (!number(o, "--index", index) || (o.has("--size") && !number(o, "--size", size))) {
      return usage();
    }
    Result<std::vector<audit::Hash>> path = z.audit->inclusion_proof(index, size);
    if (!path.is_ok()) return verdict(path.status(), "proof");
    std::string out;
    JsonWriter w(out);
    w.begin_object().field("index", static_cast<int64_t>(index));
    w.field("seq", static_cast<int64_t>(index + 1)).field("size", static_cast<int64_t>(size));
    w.field("leaf_hash", audit::hash_hex(z.audit->leaf(index)));
    w.field("root", audit::hash_hex(z.audit->root(size)));
    write_hashes(w, "proof", *path);
    w.end_object();
    std::printf("%s\n", out.c_str());
    return 0;
  }
  if (what == "consistency") {
    uint64_t size1 = 0, size2 = 0;
    if (!number(o, "--size1", size1) || !number(o, "--size2", size2)) return usage();
    Result<std::vector<audit::Hash>> path = z.audit->consistency_proof(size1, size2);
    if (!path.is_ok()) return verdict(path.status(), "proof");
    std::string out;
    JsonWriter w(out);
    w.begin_object().field("size1", static_cast<int64_t>(size1));
    w.field("size2", static_cast<int64_t>(size2));
    w.field("root1", audit::hash_hex(z.audit->root(size1)));
    w.field("root2", audit::hash_hex(z.audit->root(size2)));
    write_hashes(w, "proof", *path);
    w.end_object();
    std::printf("%s\n", out.c_str());
    return 0;
  }
  return usage();
}

}  // namespace zg::cli
