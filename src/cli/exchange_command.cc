// zonegate exchange: sealed envelopes for partners without Zonegate
// (src/exchange/envelope.h).
//
//   zonegate exchange keygen --name NAME --out FILE     prints the public keys as JSON
//   zonegate exchange zone-keys --data DIR              the zone's name and public keys, for
//   partners zonegate exchange seal --key FILE --to NAME --to-sign-key HEX --to-box-key HEX
//                          --id ID --kind KIND [--at RFC3339] < BODY.json > ENVELOPE.json
//   zonegate exchange open --key FILE --from NAME --from-sign-key HEX --from-box-key HEX
//                          < ENVELOPE.json > BODY.json
//
// open exits 0 with the body, 1 with the reason the envelope is refused.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <map>
#include <string>

#include "audit/tree_head.h"
#include "cli/commands.h"
#include "core/json.h"
#include "core/time.h"
#include "durable/data_dir.h"
#include "engine/handlers.h"
#include "exchange/envelope.h"

namespace zg::cli {
namespace exchange_cmd {  // this command's own names (commands.h says why)
namespace {

int usage() {
  std::fputs(
      "usage: zonegate exchange keygen --name NAME --out FILE\n"
      "       zonegate exchange zone-keys --data DIR\n"
      "       zonegate exchange seal --key FILE --to NAME --to-sign-key HEX --to-box-key HEX\n"
      "                              --id ID --kind KIND [--at RFC3339] < BODY > ENVELOPE\n"
      "       zonegate exchange open --key FILE --from NAME --from-sign-key HEX "
      "--from-box-key HEX < ENVELOPE > BODY\n",
      stderr);
  return 2;
}

// A party name: what envelopes carry in "from" and "to".
bool valid_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 &&
         name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == std::string::npos;
}

std::string hex(const unsigned char* data, size_t size) {
  return audit::bytes_hex(data, size);
}

}  // namespace
}  // namespace exchange_cmd

int exchange_command(const Args& args) {
  using namespace exchange_cmd;
  if (args.empty()) return usage();
  std::map<std::string, std::string, std::less<>> o;
  for (size_t i = 1; i + 1 < args.size(); i += 2) {
    if (!args[i].starts_with("--")) return usage();
    o[std::string(args[i])] = std::string(args[i + 1]);
  }
  if (args.size() % 2 == 0) return usage();
  const auto get = [&](std::string_view key) -> std::string {
    auto it = o.find(key);
    return it == o.end() ? "" : it->second;
  };
  const std::string_view what = args[0];

  if (what == "keygen") {
    if (!valid_name(get("--name")) || get("--out").empty()) {
      std::fputs("zonegate exchange: --name is A-Z, 0-9, '-', '_', '.' (up to 64)\n", stderr);
      return usage();
    }
    const exchange::PartyKeys keys = exchange::generate_party(get("--name"));
    Status written = exchange::write_party_keys(get("--out"), keys);
    if (!written.is_ok()) return report(written);
    const gate::PublicKey sign = keys.sign.public_key();
    std::printf("{\"name\":\"%s\",\"sign_key\":\"%s\",\"box_key\":\"%s\"}\n", keys.name.c_str(),
                hex(sign.data(), sign.size()).c_str(),
                hex(keys.box_public.data(), keys.box_public.size()).c_str());
    return 0;
  }

  if (what == "zone-keys") {
    // The zone seals and signs with its one key (DIR/zone-signing.key); its
    // box key is that key converted to X25519.
    Result<std::unique_ptr<DataDir>> dir = DataDir::open(get("--data"), false);
    if (!dir.is_ok()) return report(dir.status());
    const auto key = (*dir)->signing_key();
    Result<std::string> hash = (*dir)->journal().get_meta("last_pack");
    Result<const PolicyPack*> pack =
        hash.is_ok() && !hash->empty()
            ? (*dir)->pack(*hash)
            : Result<const PolicyPack*>(ErrorCode::kIoError, "", "the zone has no pack yet");
    if (key == nullptr || !pack.is_ok()) {
      std::fputs("zonegate exchange: the zone has no key or pack yet (run it once)\n", stderr);
      return 1;
    }
    const gate::PublicKey sign = key->public_key();
    const auto box = key->box_public_key();
    std::printf("{\"name\":\"%s\",\"sign_key\":\"%s\",\"box_key\":\"%s\"}\n",
                zone_party_name(**pack).c_str(), hex(sign.data(), sign.size()).c_str(),
                hex(box.data(), box.size()).c_str());
    return 0;
  }

  Result<exchange::PartyKeys> mine = exchange::read_party_keys(get("--key"));
  if (!mine.is_ok()) return report(mine.status());
  const bool sealing = what == "seal";
  if (!sealing && what != "open") return usage();
  const std::string prefix = sealing ? "--to" : "--from";
  exchange::PartyPublic other;
  other.name = get(prefix);
  Result<gate::PublicKey> sign = audit::parse_public_key(get(prefix + "-sign-key"));
  Result<gate::PublicKey> box = audit::parse_public_key(get(prefix + "-box-key"));
  if (!valid_name(other.name) || !sign.is_ok() || !box.is_ok()) return usage();
  other.sign = *sign;
  other.box = *box;
  Result<exchange::SharedKey> shared = exchange::shared_key(mine->box_secret, other.box);
  if (!shared.is_ok()) return report(shared.status());
  const std::string input((std::istreambuf_iterator<char>(std::cin)), {});

  if (sealing) {
    exchange::Letter letter{other.name, get("--id"), get("--kind"), get("--at"), input};
    if (letter.at.empty()) letter.at = format_rfc3339(Timestamp{wall_clock_ms() / 1000, 0});
    JsonDocument body;
    if (letter.id.empty() || letter.kind.empty() || !parse_rfc3339(letter.at).is_ok() ||
        !body.parse(input).is_ok()) {
      std::fputs("zonegate exchange: seal needs --id, --kind, an RFC 3339 --at and a JSON body\n",
                 stderr);
      return 2;
    }
    Result<std::string> envelope = exchange::seal(*mine, other.box, *shared, letter);
    if (!envelope.is_ok()) return report(envelope.status());
    std::printf("%s\n", envelope->c_str());
    return 0;
  }
  Result<exchange::Opened> opened =
      exchange::open(input, other, exchange::public_of(*mine), *shared);
  if (!opened.is_ok()) {
    std::printf("refused: %s\n", opened.status().first().message.c_str());
    return 1;
  }
  std::fprintf(stderr, "from %s, id %s, kind %s, at %s\n", opened->from.c_str(), opened->id.c_str(),
               opened->kind.c_str(), opened->at.c_str());
  std::printf("%s\n", opened->body.c_str());
  return 0;
}

}  // namespace zg::cli
