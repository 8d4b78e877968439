// Traveller credentials: a payload signed with Ed25519 (RFC 8032, via libsodium)
// and carried as a compact token, base64url(payload) "." base64url(signature).
//
// The gate issues a credential with its SigningKey; anyone holding the gate's
// public key can check it offline. The key lives in one small private file
// (load_or_create_signing_key).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace zg::gate {

inline constexpr size_t kSeedBytes = 32;       // an Ed25519 secret key seed
inline constexpr size_t kPublicKeyBytes = 32;  // an Ed25519 public key
inline constexpr size_t kSignatureBytes = 64;  // an Ed25519 signature

// A token longer than this is refused unread, so a verifier's work is bounded.
inline constexpr size_t kCredentialTokenBytesMax = 2048;
// The largest payload whose token fits in kCredentialTokenBytesMax: 1470 bytes
// are 1960 base64url characters, plus '.' and 86 for the signature make 2047.
inline constexpr size_t kCredentialPayloadBytesMax = 1470;

using PublicKey = std::array<unsigned char, kPublicKeyBytes>;
using Signature = std::array<unsigned char, kSignatureBytes>;

// Unpadded base64url (RFC 4648 section 5).
std::string base64url_encode(std::string_view bytes);
// Strict: refuses '=', characters outside the alphabet, a length of 1 mod 4 and
// non-zero unused trailing bits, so every byte string has exactly one encoding
// (a token cannot be re-spelt into a different string that still verifies).
// kInvalidField with a message saying what is wrong.
Result<std::string> base64url_decode(std::string_view text);

// An Ed25519 key pair. A value type: copies are independent and each wipes its
// secret when destroyed. Const methods are safe to call from several threads.
class SigningKey {
 public:
  // kInvalidField unless `seed_bytes` is exactly kSeedBytes bytes.
  static Result<SigningKey> from_seed(std::string_view seed_bytes);
  // A new key from the operating system's CSPRNG (randombytes_buf).
  static SigningKey generate();

  SigningKey(const SigningKey&) = default;
  SigningKey& operator=(const SigningKey&) = default;
  ~SigningKey();

  PublicKey public_key() const;
  // The kSeedBytes secret bytes the key is made from; keep them private.
  std::string seed() const;

  // The same key as an X25519 key pair (libsodium's Ed25519-to-Curve25519
  // conversion), so the zone seals and opens envelopes with the key its
  // partners already trust for its signatures.
  std::array<unsigned char, 32> box_secret_key() const;
  std::array<unsigned char, 32> box_public_key() const;

  // The detached signature of `message` (any length, empty included).
  Signature sign(std::string_view message) const;
  // A token carrying `payload`. Precondition (checked, aborts): the payload
  // is 1 to kCredentialPayloadBytesMax bytes, as verify_credential accepts no
  // other; payloads are built by Zonegate, never taken from outside.
  std::string sign_credential(std::string_view payload) const;

 private:
  SigningKey() = default;
  // libsodium's layout: the seed followed by the public key.
  std::array<unsigned char, kSeedBytes + kPublicKeyBytes> secret_key_{};
};

// Why a token was refused. A caller answers kMalformed as a bad request (the
// token is not one of ours) and kBadSignature as forged or damaged.
enum class CredentialVerdict : uint8_t { kValid, kMalformed, kBadSignature };

struct CredentialCheck {
  CredentialVerdict verdict = CredentialVerdict::kMalformed;
  std::string payload;       // the decoded payload, only when kValid
  std::string_view message;  // static text saying what is wrong; empty when kValid

  bool is_ok() const { return verdict == CredentialVerdict::kValid; }
};

// Checks `token` against `public_key`. kMalformed: longer than
// kCredentialTokenBytesMax, no '.' or more than one, an empty part, bad
// base64url, a signature not kSignatureBytes long. kBadSignature: well formed
// but the signature does not hold. The message never quotes the token.
// Thread-safe; allocates nothing but the payload it returns.
CredentialCheck verify_credential(std::string_view token, const PublicKey& public_key);

// Whether `signature` is `public_key`'s Ed25519 signature of `message`.
// Thread-safe.
bool verify_signature(std::string_view message, const Signature& signature,
                      const PublicKey& public_key);

// Reads the signing key at `path`, or creates one there if the file is absent
// (written to path + ".tmp" with mode 0600, fsynced, renamed, and the directory
// fsynced). The file is one line: "zonegate-ed25519-seed 1 <64 lowercase hex>\n".
// Refuses, naming the path and what is wrong, a file of any other form and a
// file that group or others may access (mode & 077): a signing key is private.
Result<SigningKey> load_or_create_signing_key(const std::string& path);
// Writes `key` at `path` in that form, durably, never over an existing file
// (`*existed`, when given, says whether that is why it failed).
Status write_signing_key(const std::string& path, const SigningKey& key, bool* existed = nullptr);

}  // namespace zg::gate
