#include "gate/credential.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <span>

#include "core/durable_file.h"
#include "core/hex.h"

namespace zg::gate {
namespace {

static_assert(kSeedBytes == crypto_sign_SEEDBYTES);
static_assert(kPublicKeyBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kSignatureBytes == crypto_sign_BYTES);
static_assert(kSeedBytes + kPublicKeyBytes == crypto_sign_SECRETKEYBYTES);

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr size_t encoded_size(size_t byte_count) {
  return byte_count / 3 * 4 + (byte_count % 3 * 4 + 2) / 3;
}
constexpr size_t kSignatureChars = encoded_size(kSignatureBytes);  // 86
static_assert(encoded_size(kCredentialPayloadBytesMax) + 1 + kSignatureChars <=
              kCredentialTokenBytesMax);
static_assert(encoded_size(kCredentialPayloadBytesMax + 1) + 1 + kSignatureChars >
              kCredentialTokenBytesMax);

// The 6-bit value of a base64url character, or -1 outside the alphabet.
int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// The number of bytes `char_count` base64url characters decode to, or -1 when
// that cannot be a base64url length (1 mod 4: six bits cannot make a byte).
long decoded_size(size_t char_count) {
  if (char_count % 4 == 1) return -1;
  return static_cast<long>(char_count / 4 * 3 + (char_count % 4 * 3) / 4);
}

// Decodes `text` into `out`, which holds exactly decoded_size(text.size())
// bytes. Writes into the caller's buffer so the verifier can decode without
// allocating. Returns nullptr, or static text saying what is wrong.
const char* decode_into(std::string_view text, std::span<unsigned char> out) {
  uint32_t bits = 0;  // pending bits, the newest in the low end
  int bit_count = 0;
  size_t out_index = 0;
  for (const char c : text) {
    if (c == '=') return "has '=' padding, which unpadded base64url does not use";
    const int value = sextet(c);
    if (value < 0) return "has a character outside the base64url alphabet";
    bits = (bits << 6) | static_cast<uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out[out_index++] = static_cast<unsigned char>(bits >> bit_count);
      bits &= (1u << bit_count) - 1;
    }
  }
  // Left-over bits must be zero, or two spellings would decode to the same bytes.
  if (bits != 0) return "has non-zero unused bits in its last character";
  return nullptr;
}

void require_sodium() {
  // sodium_init is idempotent but not to be raced; a function-local static
  // runs it once, thread-safely. Without it nothing can be signed: stop.
  static const bool ready = [] {
    if (sodium_init() < 0) {
      std::fputs("zonegate: libsodium failed to initialise; cannot sign credentials\n", stderr);
      std::abort();
    }
    return true;
  }();
  (void)ready;
}

const unsigned char* bytes_of(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

CredentialCheck refuse(CredentialVerdict verdict, std::string_view message) {
  return CredentialCheck{verdict, std::string(), message};
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve(encoded_size(bytes.size()));
  uint32_t bits = 0;
  int bit_count = 0;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    bits = (bits << 8) | byte;
    bit_count += 8;
    while (bit_count >= 6) {
      bit_count -= 6;
      out += kAlphabet[(bits >> bit_count) & 63];
    }
    bits &= (1u << bit_count) - 1;
  }
  // The last 2 or 4 bits, padded with zeros on the right (the only spelling
  // base64url_decode accepts).
  if (bit_count > 0) out += kAlphabet[(bits << (6 - bit_count)) & 63];
  return out;
}

Result<std::string> base64url_decode(std::string_view text) {
  const long size = decoded_size(text.size());
  if (size < 0) {
    return Result<std::string>(ErrorCode::kInvalidField, "",
                               "base64url text of " + std::to_string(text.size()) +
                                   " characters (1 mod 4) cannot be complete");
  }
  std::string out(static_cast<size_t>(size), '\0');
  const char* error =
      decode_into(text, std::span(reinterpret_cast<unsigned char*>(out.data()), out.size()));
  if (error != nullptr) {
    return Result<std::string>(ErrorCode::kInvalidField, "",
                               std::string("base64url text ") + error);
  }
  return out;
}

// ---- SigningKey --------------------------------------------------------------

Result<SigningKey> SigningKey::from_seed(std::string_view seed_bytes) {
  if (seed_bytes.size() != kSeedBytes) {
    return Result<SigningKey>(
        ErrorCode::kInvalidField, "seed",
        "an Ed25519 seed is 32 bytes, not " + std::to_string(seed_bytes.size()));
  }
  require_sodium();
  SigningKey key;
  PublicKey unused_public_key;  // also the last half of secret_key_
  crypto_sign_seed_keypair(unused_public_key.data(), key.secret_key_.data(), bytes_of(seed_bytes));
  return key;
}

SigningKey SigningKey::generate() {
  require_sodium();
  std::array<unsigned char, kSeedBytes> seed;
  randombytes_buf(seed.data(), seed.size());
  SigningKey key;
  PublicKey unused_public_key;  // also the last half of secret_key_
  crypto_sign_seed_keypair(unused_public_key.data(), key.secret_key_.data(), seed.data());
  sodium_memzero(seed.data(), seed.size());
  return key;
}

// Wiped so a freed key does not linger in memory (core dumps, reused pages).
SigningKey::~SigningKey() {
  sodium_memzero(secret_key_.data(), secret_key_.size());
}

PublicKey SigningKey::public_key() const {
  PublicKey key;
  std::memcpy(key.data(), secret_key_.data() + kSeedBytes, kPublicKeyBytes);
  return key;
}

std::string SigningKey::seed() const {
  return std::string(reinterpret_cast<const char*>(secret_key_.data()), kSeedBytes);
}

Signature SigningKey::sign(std::string_view message) const {
  Signature signature;
  crypto_sign_detached(signature.data(), nullptr, bytes_of(message), message.size(),
                       secret_key_.data());
  return signature;
}

std::string SigningKey::sign_credential(std::string_view payload) const {
  if (payload.empty() || payload.size() > kCredentialPayloadBytesMax) {
    std::fprintf(stderr, "zonegate: credential payload of %zu bytes (want 1 to %zu)\n",
                 payload.size(), kCredentialPayloadBytesMax);
    std::abort();
  }
  const Signature signature = sign(payload);
  return base64url_encode(payload) + "." +
         base64url_encode(
             std::string_view(reinterpret_cast<const char*>(signature.data()), signature.size()));
}

// ---- verify_credential -------------------------------------------------------

CredentialCheck verify_credential(std::string_view token, const PublicKey& public_key) {
  using enum CredentialVerdict;
  // Checked first, so nothing below reads more than kCredentialTokenBytesMax.
  if (token.size() > kCredentialTokenBytesMax) {
    return refuse(kMalformed, "token is longer than 2048 bytes");
  }
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos) {
    return refuse(kMalformed, "token has no '.' between payload and signature");
  }
  const std::string_view payload_text = token.substr(0, dot);
  const std::string_view signature_text = token.substr(dot + 1);
  if (signature_text.find('.') != std::string_view::npos) {
    return refuse(kMalformed, "token has more than one '.'");
  }
  if (payload_text.empty()) return refuse(kMalformed, "token's payload part is empty");
  if (signature_text.empty()) return refuse(kMalformed, "token's signature part is empty");
  if (signature_text.size() != kSignatureChars) {
    return refuse(kMalformed, "token's signature is not 64 bytes");
  }
  Signature signature;
  if (decode_into(signature_text, signature) != nullptr) {
    return refuse(kMalformed, "token's signature is not valid base64url");
  }
  // The length checks above bound the payload by kCredentialPayloadBytesMax,
  // so it decodes on the stack; only a payload that verifies is copied out.
  const long payload_size = decoded_size(payload_text.size());
  std::array<unsigned char, kCredentialPayloadBytesMax> payload;
  if (payload_size < 0 || static_cast<size_t>(payload_size) > payload.size() ||
      decode_into(payload_text, std::span(payload.data(), static_cast<size_t>(payload_size))) !=
          nullptr) {
    return refuse(kMalformed, "token's payload is not valid base64url");
  }
  require_sodium();
  if (crypto_sign_verify_detached(signature.data(), payload.data(),
                                  static_cast<size_t>(payload_size), public_key.data()) != 0) {
    return refuse(kBadSignature, "token's signature does not match its payload and the key");
  }
  return CredentialCheck{
      kValid,
      std::string(reinterpret_cast<const char*>(payload.data()), static_cast<size_t>(payload_size)),
      {}};
}

// ---- key file ------------------------------------------------------------------

namespace {

constexpr std::string_view kKeyFileHeader = "zonegate-ed25519-seed 1 ";
constexpr size_t kKeyFileBytes = kKeyFileHeader.size() + 2 * kSeedBytes + 1;  // 89

Status io_error(const std::string& what) {
  return Status(ErrorCode::kIoError, "", what);
}

Status errno_error(const std::string& what) {
  return io_error(what + ": " + std::strerror(errno));
}

// The key in `text`, a key file's whole content; errors name `path`.
Result<SigningKey> parse_key_file(const std::string& path, std::string_view text) {
  if (!text.starts_with(kKeyFileHeader)) {
    return Result<SigningKey>(
        ErrorCode::kUnsupportedFormat, "",
        path +
            " is not a Zonegate signing key (it does not start with \"zonegate-ed25519-seed 1 \")");
  }
  if (text.size() != kKeyFileBytes || text.back() != '\n') {
    return Result<SigningKey>(ErrorCode::kCorruption, "",
                              path + " is damaged: " + std::to_string(text.size()) +
                                  " bytes, want one line of " + std::to_string(kKeyFileBytes) +
                                  " ending in a newline");
  }
  std::string seed(kSeedBytes, '\0');
  if (!hex_decode(text.substr(kKeyFileHeader.size(), 2 * kSeedBytes),
                  reinterpret_cast<unsigned char*>(seed.data()), seed.size())) {
    sodium_memzero(seed.data(), seed.size());
    return Result<SigningKey>(ErrorCode::kCorruption, "",
                              path + " is damaged: the seed is not 64 lowercase hex digits");
  }
  Result<SigningKey> key = SigningKey::from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

Result<SigningKey> read_key_file(const std::string& path, int fd) {
  struct stat info;
  if (::fstat(fd, &info) != 0) return errno_error("cannot read " + path);
  if (!S_ISREG(info.st_mode)) return io_error(path + " is not a regular file");
  // Checked on the open file, not the name, so the answer is about what is read.
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return io_error(path + " has mode " + mode +
                    ", open to group or others; a signing key must be private (chmod 600 " + path +
                    ")");
  }
  // One byte more than a key file holds, so a longer file is seen as such.
  char buffer[kKeyFileBytes + 1];
  size_t size = 0;
  while (size < sizeof buffer) {
    const ssize_t got = ::read(fd, buffer + size, sizeof buffer - size);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return errno_error("cannot read " + path);
    if (got == 0) break;
    size += static_cast<size_t>(got);
  }
  Result<SigningKey> key = parse_key_file(path, std::string_view(buffer, size));
  sodium_memzero(buffer, sizeof buffer);
  return key;
}

}  // namespace

Status write_signing_key(const std::string& path, const SigningKey& key, bool* existed) {
  std::string seed = key.seed();
  std::string hex = hex_encode(reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  // Sized first, so no copy of the secret is left in a freed buffer.
  std::string text;
  text.reserve(kKeyFileBytes);
  text.append(kKeyFileHeader).append(hex).push_back('\n');
  const Status status = write_file_durably(path, text, 0600, Replace::kNever, existed);
  // Our copies of the secret are wiped before they are freed.
  sodium_memzero(hex.data(), hex.size());
  sodium_memzero(seed.data(), seed.size());
  sodium_memzero(text.data(), text.size());
  return status;
}

Result<SigningKey> load_or_create_signing_key(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    Result<SigningKey> key = read_key_file(path, fd);
    ::close(fd);
    return key;
  }
  if (errno != ENOENT) return errno_error("cannot open " + path);

  SigningKey key = SigningKey::generate();
  // Never replace: when two processes create a zone's key at once, the
  // second finds the first's file and uses that, so nobody signs with a key
  // that is not on disk.
  bool existed = false;
  const Status status = write_signing_key(path, key, &existed);
  if (!status.is_ok()) {
    // Only "another process made it first" means use theirs; any other
    // failure (a directory that would not sync) is the caller's to see.
    if (!existed) return status;
    const int again = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (again < 0) return status;
    Result<SigningKey> existing = read_key_file(path, again);
    ::close(again);
    return existing;
  }
  return key;
}

std::array<unsigned char, 32> SigningKey::box_secret_key() const {
  std::array<unsigned char, 32> out{};
  // Cannot fail for a key libsodium made; a zero key would only fail to open.
  if (crypto_sign_ed25519_sk_to_curve25519(out.data(), secret_key_.data()) != 0) out.fill(0);
  return out;
}

std::array<unsigned char, 32> SigningKey::box_public_key() const {
  std::array<unsigned char, 32> out{};
  const PublicKey key = public_key();
  if (crypto_sign_ed25519_pk_to_curve25519(out.data(), key.data()) != 0) out.fill(0);
  return out;
}

bool verify_signature(std::string_view message, const Signature& signature,
                      const PublicKey& public_key) {
  require_sodium();
  return crypto_sign_verify_detached(signature.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), public_key.data()) == 0;
}

}  // namespace zg::gate
