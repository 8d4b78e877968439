// Sealed envelopes from partners (Macao's administration): signed, sealed
// boxes with a plain header. Two kinds of input, by the first byte:
//  - even: the rest is an envelope as it arrives at the inbox. peek and
//    open never crash; it never opens (nobody here sealed it: an input that
//    opened would be a forgery);
//  - odd: the rest is a letter's body; it is sealed genuinely, then one byte
//    of the envelope (where and how, from the input) is changed. The
//    untouched envelope opens to the same letter; the changed one is refused,
//    or opens to exactly the same letter (a change the format ignores), never
//    to another.
#include "exchange/envelope.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"

namespace {

using zg::exchange::PartyKeys;
using zg::exchange::PartyPublic;

PartyKeys party(std::string name, char seed) {
  PartyKeys keys{std::move(name),
                 zg::gate::SigningKey::from_seed(std::string(zg::gate::kSeedBytes, seed)).value(),
                 {},
                 {}};
  keys.box_secret = keys.sign.box_secret_key();
  keys.box_public = keys.sign.box_public_key();
  return keys;
}

struct Parties {
  PartyKeys macao = party("MACAO-CUSTOMS", '\x11');
  PartyKeys zone = party("HENGQIN-CUSTOMS", '\x22');
  zg::exchange::SharedKey macao_to_zone =
      zg::exchange::shared_key(macao.box_secret, zone.box_public).value();
  zg::exchange::SharedKey zone_from_macao =
      zg::exchange::shared_key(zone.box_secret, macao.box_public).value();
};

const Parties& parties() {
  static const Parties* p = new Parties;
  return *p;
}

bool same_letter(const zg::exchange::Opened& a, const zg::exchange::Opened& b) {
  return a.from == b.from && a.to == b.to && a.id == b.id && a.kind == b.kind && a.at == b.at &&
         a.body == b.body;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  parties();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Parties& p = parties();
  const PartyPublic macao = zg::exchange::public_of(p.macao);
  const PartyPublic zone = zg::exchange::public_of(p.zone);
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  if (data[0] % 2 == 0) {
    (void)zg::exchange::peek(rest);
    const auto opened = zg::exchange::open(rest, macao, zone, p.zone_from_macao);
    zg::fuzz::check(!opened.is_ok(), "an envelope nobody sealed does not open");
    zg::fuzz::check(!opened.status().first().message.empty(), "a refusal says what is wrong");
    return 0;
  }

  if (rest.size() < 3) return 0;
  const size_t where =
      (static_cast<size_t>(static_cast<uint8_t>(rest[0])) << 8) | static_cast<uint8_t>(rest[1]);
  const auto change = static_cast<uint8_t>(rest[2] == 0 ? 1 : rest[2]);
  const zg::exchange::Letter letter{"HENGQIN-CUSTOMS", "fuzz-1", "joint_inspection",
                                    "2024-09-02T10:00:00+08:00", std::string(rest.substr(3))};
  const auto sealed = zg::exchange::seal(p.macao, p.zone.box_public, p.macao_to_zone, letter);
  zg::fuzz::check(sealed.is_ok(), "a letter seals");
  const auto genuine = zg::exchange::open(*sealed, macao, zone, p.zone_from_macao);
  zg::fuzz::check(genuine.is_ok() && genuine->body == letter.body && genuine->from == macao.name,
                  "a sealed letter opens to itself",
                  genuine.is_ok() ? "" : genuine.status().first().message);
  std::string tampered = *sealed;
  tampered[where % tampered.size()] = static_cast<char>(tampered[where % tampered.size()] ^ change);
  const auto opened = zg::exchange::open(tampered, macao, zone, p.zone_from_macao);
  if (opened.is_ok()) {
    zg::fuzz::check(same_letter(*opened, *genuine),
                    "a changed envelope never opens to another letter");
  }
  return 0;
}
