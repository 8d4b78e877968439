#include "exchange/envelope.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "audit/tree_head.h"
#include "core/json.h"

namespace zg::exchange {
namespace {

constexpr std::string_view kKeyMagic = "zonegate-exchange-key 1 ";
constexpr size_t kEnvelopeBytesMax = 1 << 20;

Status malformed(std::string what) {
  return Status(ErrorCode::kInvalidField, "", "the envelope is malformed: " + std::move(what));
}

// The bytes the sender signs: every header field and the sealed box.
std::string signed_text(const Opened& h, std::string_view nonce, std::string_view box) {
  std::string out = "zonegate envelope 1\n";
  for (std::string_view part :
       {std::string_view(h.from), std::string_view(h.to), std::string_view(h.id),
        std::string_view(h.kind), std::string_view(h.at), nonce, box}) {
    out.append(part);
    out.push_back('\n');
  }
  return out;
}

template <size_t N>
bool from_hex(std::string_view hex, std::array<unsigned char, N>& out) {
  if (hex.size() != 2 * N) return false;
  size_t written = 0;
  return sodium_hex2bin(out.data(), N, hex.data(), hex.size(), nullptr, &written, nullptr) == 0 &&
         written == N;
}

}  // namespace

PartyKeys generate_party(std::string name) {
  PartyKeys keys{std::move(name), gate::SigningKey::generate(), {}, {}};
  crypto_box_keypair(keys.box_public.data(), keys.box_secret.data());
  return keys;
}

PartyPublic public_of(const PartyKeys& keys) {
  return PartyPublic{keys.name, keys.sign.public_key(), keys.box_public};
}

Status write_party_keys(const std::string& path, const PartyKeys& keys) {
  const std::string seed = keys.sign.seed();
  const std::string line =
      std::string(kKeyMagic) + keys.name + " " +
      audit::bytes_hex(reinterpret_cast<const unsigned char*>(seed.data()), seed.size()) + " " +
      audit::bytes_hex(keys.box_secret.data(), keys.box_secret.size()) + "\n";
  const std::string partial = path + ".tmp";
  ::unlink(partial.c_str());
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Status(ErrorCode::kIoError, "", "cannot write " + partial);
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool synced = written && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || std::rename(partial.c_str(), path.c_str()) != 0) {
    ::unlink(partial.c_str());
    return Status(ErrorCode::kIoError, "", "cannot write " + path);
  }
  return Status::ok();
}

Result<PartyKeys> read_party_keys(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return Result<PartyKeys>(ErrorCode::kIoError, "", "cannot read " + path);
  }
  if ((info.st_mode & 077) != 0) {
    return Result<PartyKeys>(ErrorCode::kIoError, "",
                             path + " may be read by others; a key must be private (chmod 600)");
  }
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::istringstream fields(line.substr(std::min(line.size(), kKeyMagic.size())));
  std::string name, seed_hex, box_hex;
  fields >> name >> seed_hex >> box_hex;
  std::array<unsigned char, 32> seed{};
  PartyKeys keys{name, gate::SigningKey::generate(), {}, {}};
  if (line.rfind(kKeyMagic, 0) != 0 || name.empty() || !from_hex(seed_hex, seed) ||
      !from_hex(box_hex, keys.box_secret)) {
    return Result<PartyKeys>(ErrorCode::kUnsupportedFormat, "",
                             path + " is not a Zonegate exchange key file");
  }
  Result<gate::SigningKey> sign =
      gate::SigningKey::from_seed(std::string_view(reinterpret_cast<const char*>(seed.data()), 32));
  sodium_memzero(seed.data(), seed.size());
  if (!sign.is_ok()) return sign.status();
  keys.sign = *sign;
  crypto_scalarmult_base(keys.box_public.data(), keys.box_secret.data());
  return keys;
}

SharedKey shared_key(const BoxSecretKey& mine, const BoxPublicKey& theirs) {
  SharedKey key{};
  if (crypto_box_beforenm(key.data(), theirs.data(), mine.data()) != 0) key.fill(0);
  return key;
}

std::string seal(const PartyKeys& sender, const SharedKey& shared, const Letter& letter) {
  std::array<unsigned char, crypto_box_NONCEBYTES> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  std::string box(letter.body.size() + crypto_box_MACBYTES, '\0');
  crypto_box_easy_afternm(reinterpret_cast<unsigned char*>(box.data()),
                          reinterpret_cast<const unsigned char*>(letter.body.data()),
                          letter.body.size(), nonce.data(), shared.data());
  const std::string nonce_text = gate::base64url_encode(
      std::string_view(reinterpret_cast<const char*>(nonce.data()), nonce.size()));
  const std::string box_text = gate::base64url_encode(box);
  const Opened header{sender.name, letter.to, letter.id, letter.kind, letter.at, ""};
  const gate::Signature signature = sender.sign.sign(signed_text(header, nonce_text, box_text));
  std::string out;
  JsonWriter w(out);
  w.begin_object()
      .field("v", int64_t{1})
      .field("from", sender.name)
      .field("to", letter.to)
      .field("id", letter.id)
      .field("kind", letter.kind)
      .field("at", letter.at)
      .field("nonce", nonce_text)
      .field("box", box_text)
      .field("sig", gate::base64url_encode(std::string_view(
                        reinterpret_cast<const char*>(signature.data()), signature.size())))
      .end_object();
  return out;
}

namespace {

struct Parsed {
  Opened header;
  std::string nonce, box, sig;
};

Result<Parsed> parse(std::string_view envelope) {
  if (envelope.size() > kEnvelopeBytesMax) return malformed("over 1 MiB");
  JsonDocument doc;
  if (!doc.parse(envelope).is_ok() || !doc.root().is_object())
    return malformed("not a JSON object");
  const JsonRef r = doc.root();
  Parsed p;
  for (auto [key, target] : {std::pair{"from", &p.header.from}, std::pair{"to", &p.header.to},
                             std::pair{"id", &p.header.id}, std::pair{"kind", &p.header.kind},
                             std::pair{"at", &p.header.at}, std::pair{"nonce", &p.nonce},
                             std::pair{"box", &p.box}, std::pair{"sig", &p.sig}}) {
    const JsonRef v = r.get(key);
    if (!v.is_string() || v.text().empty()) return malformed(std::string(key) + " is missing");
    // A field may not carry the line breaks that separate the signed fields.
    if (v.text().find('\n') != std::string_view::npos) {
      return malformed(std::string(key) + " has a line break");
    }
    target->assign(v.text());
  }
  if (r.get("v").text() != "1") return malformed("its version is not 1");
  if (r.size() != 9) return malformed("it has fields an envelope does not have");
  return p;
}

}  // namespace

Result<Opened> peek(std::string_view envelope) {
  Result<Parsed> parsed = parse(envelope);
  if (!parsed.is_ok()) return parsed.status();
  return parsed->header;
}

Result<Opened> open(std::string_view envelope, const PartyPublic& sender,
                    std::string_view recipient, const SharedKey& shared) {
  Result<Parsed> parsed = parse(envelope);
  if (!parsed.is_ok()) return parsed.status();
  Parsed p = std::move(parsed).value();
  if (p.header.from != sender.name) {
    return Result<Opened>(
        ErrorCode::kInvalidField, "from",
        "the envelope is from " + p.header.from.substr(0, 64) + ", not " + sender.name);
  }
  if (p.header.to != recipient) {
    return Result<Opened>(ErrorCode::kInvalidField, "to",
                          "the envelope is addressed to " + p.header.to.substr(0, 64) +
                              ", not to " + std::string(recipient));
  }
  Result<std::string> sig = gate::base64url_decode(p.sig);
  gate::Signature signature{};
  if (!sig.is_ok() || sig->size() != signature.size()) return malformed("sig is not 64 bytes");
  std::memcpy(signature.data(), sig->data(), signature.size());
  if (!gate::verify_signature(signed_text(p.header, p.nonce, p.box), signature, sender.sign)) {
    return Result<Opened>(ErrorCode::kInvalidField, "sig",
                          "the sender's signature does not hold: the envelope was changed or is "
                          "not " +
                              sender.name + "'s");
  }
  Result<std::string> nonce = gate::base64url_decode(p.nonce);
  Result<std::string> box = gate::base64url_decode(p.box);
  if (!nonce.is_ok() || nonce->size() != crypto_box_NONCEBYTES) return malformed("a bad nonce");
  if (!box.is_ok() || box->size() < crypto_box_MACBYTES) return malformed("a bad box");
  p.header.body.resize(box->size() - crypto_box_MACBYTES);
  if (crypto_box_open_easy_afternm(reinterpret_cast<unsigned char*>(p.header.body.data()),
                                   reinterpret_cast<const unsigned char*>(box->data()), box->size(),
                                   reinterpret_cast<const unsigned char*>(nonce->data()),
                                   shared.data()) != 0) {
    return Result<Opened>(ErrorCode::kInvalidField, "box",
                          "the box does not open with this pair of keys");
  }
  return p.header;
}

}  // namespace zg::exchange
