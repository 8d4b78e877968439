#include "gate/credential.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "core/temp_dir.h"

namespace zg::gate {
namespace {

using namespace std::string_literals;

// ---- helpers ---------------------------------------------------------------

std::string from_hex(std::string_view hex) {
  std::string out;
  for (size_t char_index = 0; char_index + 1 < hex.size(); char_index += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(char_index, 2)), nullptr, 16));
  }
  return out;
}

template <class Bytes>
std::string to_hex(const Bytes& bytes) {
  std::string out;
  for (const auto byte : bytes) {
    out += "0123456789abcdef"[static_cast<unsigned char>(byte) >> 4];
    out += "0123456789abcdef"[static_cast<unsigned char>(byte) & 15];
  }
  return out;
}

std::string_view as_chars(const Signature& signature) {
  return {reinterpret_cast<const char*>(signature.data()), signature.size()};
}

// A token made of `payload` and `signature` as they are, signed or not.
std::string make_token(std::string_view payload, std::string_view signature) {
  return base64url_encode(payload) + "." + base64url_encode(signature);
}

SigningKey test_key() {
  return SigningKey::from_seed(std::string(kSeedBytes, '\x07')).value();
}

void write_file(const std::string& path, std::string_view text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ASSERT_EQ(::fchmod(fd, mode), 0);  // fchmod, unlike open, ignores the umask
  ::close(fd);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t mode_of(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

// ---- base64url ---------------------------------------------------------------

TEST(Base64Url, EncodesTheRfc4648Vectors) {
  // RFC 4648 section 10, without padding; the last cases use the characters
  // where base64url differs from base64 ('-' for '+', '_' for '/').
  struct Case {
    std::string_view bytes;
    std::string_view text;
  };
  const Case kCases[] = {
      {"", ""},
      {"f", "Zg"},
      {"fo", "Zm8"},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg"},
      {"fooba", "Zm9vYmE"},
      {"foobar", "Zm9vYmFy"},
      {"\xfb\xff\xbf", "-_-_"},
      {"\xff", "_w"},
      {"\xff\xfe", "__4"},
      {std::string_view("\0\0\0", 3), "AAAA"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(base64url_encode(c.bytes), c.text);
    const Result<std::string> decoded = base64url_decode(c.text);
    ASSERT_TRUE(decoded.is_ok()) << decoded.status().first().message;
    EXPECT_EQ(*decoded, c.bytes);
  }
}

TEST(Base64Url, RoundTripsEveryLengthUpTo70) {
  for (size_t length = 0; length <= 70; ++length) {
    std::string bytes;
    for (size_t byte_index = 0; byte_index < length; ++byte_index) {
      bytes += static_cast<char>((byte_index * 37 + length * 11) & 0xff);
    }
    const std::string text = base64url_encode(bytes);
    SCOPED_TRACE(text);
    EXPECT_EQ(text.size(), (length * 8 + 5) / 6);  // unpadded: ceil(bits / 6)
    EXPECT_EQ(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789-_"),
              std::string::npos);
    const Result<std::string> decoded = base64url_decode(text);
    ASSERT_TRUE(decoded.is_ok()) << decoded.status().first().message;
    EXPECT_EQ(*decoded, bytes);
  }
}

TEST(Base64Url, DecoderRefusesAllButTheOneSpelling) {
  struct Case {
    std::string_view name;
    std::string_view text;
    std::string_view why;
  };
  const Case kCases[] = {
      {"padding", "Zg==", "'='"},
      {"padding in a whole group", "Zm8=", "'='"},
      {"one character", "Z", "1 mod 4"},
      {"five characters", "Zm9vY", "1 mod 4"},
      {"base64 '+'", "Zm+v", "alphabet"},
      {"base64 '/'", "Zm/v", "alphabet"},
      {"space", "Zm 9", "alphabet"},
      {"newline", "Zm9v\n", "1 mod 4"},
      {"newline in a group", "Zm9\n", "alphabet"},
      {"dot", "Zm.v", "alphabet"},
      {"NUL", std::string_view("Zm\0v", 4), "alphabet"},
      {"non-ASCII", "Zm\xc3\xa9", "alphabet"},
      {"low bits set after 1 byte", "Zh", "unused bits"},
      {"high unused bit set after 1 byte", "Zo", "unused bits"},
      {"unused bits set after 2 bytes", "Zm9", "unused bits"},
      {"unused bits set after 3 bytes' group", "Zm9vYh", "unused bits"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const Result<std::string> decoded = base64url_decode(c.text);
    ASSERT_FALSE(decoded.is_ok());
    EXPECT_EQ(decoded.status().first().code, ErrorCode::kInvalidField);
    EXPECT_NE(decoded.status().first().message.find(c.why), std::string::npos)
        << decoded.status().first().message;
  }
}

// ---- SigningKey ----------------------------------------------------------------

TEST(Credential, MatchesRfc8032Test1) {
  // RFC 8032 section 7.1, TEST 1: a real Ed25519 key and signature.
  const std::string seed =
      from_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  const Result<SigningKey> key = SigningKey::from_seed(seed);
  ASSERT_TRUE(key.is_ok());
  EXPECT_EQ(to_hex(key->public_key()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(to_hex(key->sign("")),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e"
            "39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_EQ(key->seed(), seed);
}

TEST(Credential, FromSeedRefusesOtherSizes) {
  for (size_t size : {0, 1, 31, 33, 64}) {
    const Result<SigningKey> key = SigningKey::from_seed(std::string(size, 'k'));
    ASSERT_FALSE(key.is_ok()) << size;
    EXPECT_EQ(key.status().first().code, ErrorCode::kInvalidField);
    EXPECT_NE(key.status().first().message.find("32 bytes"), std::string::npos);
  }
}

TEST(Credential, GeneratedKeysDifferAndRebuildFromTheirSeed) {
  const SigningKey first = SigningKey::generate();
  const SigningKey second = SigningKey::generate();
  EXPECT_NE(first.public_key(), second.public_key());
  EXPECT_EQ(first.seed().size(), kSeedBytes);
  EXPECT_EQ(SigningKey::from_seed(first.seed())->public_key(), first.public_key());
}

// ---- verify_credential -----------------------------------------------------------

TEST(Credential, SignedPayloadsVerify) {
  const SigningKey key = test_key();
  const std::string kPayloads[] = {
      "x",
      R"({"passport":"E12345678","gate":"HQ-2","until":"2025-06-30"})",
      "dots . and NUL \0 and \xff survive"s,  // a std::string literal keeps the NUL
      std::string(kCredentialPayloadBytesMax, 'p'),
  };
  for (const std::string& payload : kPayloads) {
    SCOPED_TRACE(payload.size());
    const std::string token = key.sign_credential(payload);
    EXPECT_LE(token.size(), kCredentialTokenBytesMax);
    const CredentialCheck check = verify_credential(token, key.public_key());
    ASSERT_TRUE(check.is_ok()) << check.message;
    EXPECT_EQ(check.payload, payload);
    EXPECT_TRUE(check.message.empty());
  }
}

TEST(Credential, EveryFlippedPayloadByteBreaksTheSignature) {
  const SigningKey key = test_key();
  const std::string payload = "traveller E12345678 cleared at gate HQ-2";
  const Signature signature = key.sign(payload);
  for (size_t byte_index = 0; byte_index < payload.size(); ++byte_index) {
    std::string changed = payload;
    changed[byte_index] = static_cast<char>(changed[byte_index] ^ 0x01);
    const CredentialCheck check =
        verify_credential(make_token(changed, as_chars(signature)), key.public_key());
    EXPECT_EQ(check.verdict, CredentialVerdict::kBadSignature) << byte_index;
    EXPECT_TRUE(check.payload.empty());
  }
}

TEST(Credential, EveryFlippedSignatureByteBreaksTheSignature) {
  const SigningKey key = test_key();
  const std::string payload = "traveller E12345678 cleared at gate HQ-2";
  const Signature signature = key.sign(payload);
  for (size_t byte_index = 0; byte_index < signature.size(); ++byte_index) {
    for (const int flip : {0x01, 0x80}) {
      Signature changed = signature;
      changed[byte_index] = static_cast<unsigned char>(changed[byte_index] ^ flip);
      const CredentialCheck check =
          verify_credential(make_token(payload, as_chars(changed)), key.public_key());
      EXPECT_EQ(check.verdict, CredentialVerdict::kBadSignature) << byte_index << " " << flip;
    }
  }
}

TEST(Credential, TruncatedTokensNeverVerify) {
  const SigningKey key = test_key();
  const std::string token = key.sign_credential("traveller E12345678");
  for (size_t length = 0; length < token.size(); ++length) {
    const CredentialCheck check = verify_credential(token.substr(0, length), key.public_key());
    EXPECT_FALSE(check.is_ok()) << length;
    EXPECT_FALSE(check.message.empty()) << length;
  }
  // Cut from the front too: the payload loses its first characters.
  for (size_t cut = 1; cut <= token.size(); ++cut) {
    EXPECT_FALSE(verify_credential(token.substr(cut), key.public_key()).is_ok()) << cut;
  }
}

TEST(Credential, AnotherKeyDoesNotVerify) {
  const std::string token = test_key().sign_credential("traveller E12345678");
  const CredentialCheck check = verify_credential(token, SigningKey::generate().public_key());
  EXPECT_EQ(check.verdict, CredentialVerdict::kBadSignature);
  EXPECT_NE(check.message.find("does not match"), std::string_view::npos);
}

TEST(Credential, RefusesMalformedTokens) {
  const SigningKey key = test_key();
  const std::string payload_text = base64url_encode("traveller E12345678");
  const std::string signature_text = base64url_encode(as_chars(key.sign("traveller E12345678")));
  // The last signature character holds 4 unused bits; setting one re-spells
  // the same 64 bytes, which the strict decoder refuses.
  std::string respelt = signature_text;
  respelt.back() = static_cast<char>(respelt.back() + 1);
  struct Case {
    std::string name;
    std::string token;
    std::string_view why;
  };
  const Case kCases[] = {
      {"empty", "", "no '.'"},
      {"no dot", payload_text + signature_text, "no '.'"},
      {"two dots", payload_text + "." + signature_text + ".", "more than one '.'"},
      {"two dots inside", payload_text + ".." + signature_text, "more than one '.'"},
      {"empty payload", "." + signature_text, "payload part is empty"},
      {"empty signature", payload_text + ".", "signature part is empty"},
      {"63-byte signature", payload_text + "." + base64url_encode(std::string(63, 's')),
       "not 64 bytes"},
      {"65-byte signature", payload_text + "." + base64url_encode(std::string(65, 's')),
       "not 64 bytes"},
      {"padded signature", payload_text + "." + signature_text + "==", "not 64 bytes"},
      {"signature outside the alphabet", payload_text + "." + "+" + signature_text.substr(1),
       "signature is not valid base64url"},
      {"signature re-spelt", payload_text + "." + respelt, "signature is not valid base64url"},
      {"payload outside the alphabet", "*" + payload_text.substr(1) + "." + signature_text,
       "payload is not valid base64url"},
      {"payload 1 mod 4", "AAAAA." + signature_text, "payload is not valid base64url"},
      {"too long", std::string(kCredentialTokenBytesMax + 1 - 87, 'A') + "." + signature_text,
       "longer than 2048"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const CredentialCheck check = verify_credential(c.token, key.public_key());
    EXPECT_EQ(check.verdict, CredentialVerdict::kMalformed);
    EXPECT_TRUE(check.payload.empty());
    EXPECT_NE(check.message.find(c.why), std::string_view::npos) << check.message;
    // The message says what is wrong without quoting the token.
    EXPECT_EQ(check.message.find(payload_text), std::string_view::npos);
    EXPECT_EQ(check.message.find(signature_text.substr(0, 8)), std::string_view::npos);
  }
}

TEST(Credential, VerifiesOnSeveralThreadsAtOnce) {
  const SigningKey key = test_key();
  const PublicKey public_key = key.public_key();
  const std::string good = key.sign_credential("traveller E12345678");
  const std::string bad = SigningKey::generate().sign_credential("traveller E12345678");
  std::vector<int> wrong_answers(4, 0);
  std::vector<std::thread> threads;
  for (size_t thread_index = 0; thread_index < wrong_answers.size(); ++thread_index) {
    threads.emplace_back([&, thread_index] {
      for (int round = 0; round < 200; ++round) {
        wrong_answers[thread_index] += !verify_credential(good, public_key).is_ok();
        wrong_answers[thread_index] += verify_credential(bad, public_key).is_ok();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const int count : wrong_answers) EXPECT_EQ(count, 0);
}

TEST(CredentialDeathTest, SigningAPayloadNoTokenCanCarryAborts) {
  const SigningKey key = test_key();
  EXPECT_DEATH((void)key.sign_credential(""), "credential payload of 0 bytes");
  EXPECT_DEATH((void)key.sign_credential(std::string(kCredentialPayloadBytesMax + 1, 'p')),
               "credential payload of 1471 bytes");
}

// ---- key file -------------------------------------------------------------------

TEST(CredentialKeyFile, CreatesAPrivateKeyAndLoadsItBack) {
  const TempDir dir("zg-credential");
  const std::string path = dir.file("gate.key");
  const Result<SigningKey> created = load_or_create_signing_key(path);
  ASSERT_TRUE(created.is_ok()) << created.status().first().message;
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_EQ(read_file(path), "zonegate-ed25519-seed 1 " + to_hex(created->seed()) + "\n");

  const Result<SigningKey> loaded = load_or_create_signing_key(path);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().first().message;
  EXPECT_EQ(loaded->public_key(), created->public_key());
  const std::string token = created->sign_credential("traveller E12345678");
  EXPECT_TRUE(verify_credential(token, loaded->public_key()).is_ok());
}

TEST(CredentialKeyFile, LoadsTheRfc8032Key) {
  const TempDir dir("zg-credential");
  const std::string path = dir.file("gate.key");
  write_file(path,
             "zonegate-ed25519-seed 1 "
             "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n",
             0600);
  const Result<SigningKey> key = load_or_create_signing_key(path);
  ASSERT_TRUE(key.is_ok()) << key.status().first().message;
  EXPECT_EQ(to_hex(key->public_key()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
}

TEST(CredentialKeyFile, IsPrivateWhateverTemporaryFilesLieAround) {
  // A file left beside the key (a crash, another writer) with whatever mode
  // is neither used nor touched; the new key file is private.
  const TempDir dir("zg-credential");
  const std::string path = dir.file("gate.key");
  write_file(path + ".tmp", "half a key", 0644);
  ASSERT_TRUE(load_or_create_signing_key(path).is_ok());
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_TRUE(std::filesystem::exists(path + ".tmp"));
}

TEST(CredentialKeyFile, RefusesWhatIsNotExactlyAKeyFile) {
  const std::string kHex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
  const std::string kHeader = "zonegate-ed25519-seed 1 ";
  struct Case {
    std::string name;
    std::string text;
    ErrorCode code;
    std::string_view why;
  };
  const Case kCases[] = {
      {"empty", "", ErrorCode::kUnsupportedFormat, "not a Zonegate signing key"},
      {"foreign", "-----BEGIN OPENSSH PRIVATE KEY-----\n", ErrorCode::kUnsupportedFormat,
       "not a Zonegate signing key"},
      {"raw seed", kHex + "\n", ErrorCode::kUnsupportedFormat, "not a Zonegate signing key"},
      {"version 2", "zonegate-ed25519-seed 2 " + kHex + "\n", ErrorCode::kUnsupportedFormat,
       "not a Zonegate signing key"},
      {"short", kHeader + kHex.substr(0, 20) + "\n", ErrorCode::kCorruption, "damaged"},
      {"no newline", kHeader + kHex, ErrorCode::kCorruption, "damaged"},
      {"CRLF", kHeader + kHex + "\r\n", ErrorCode::kCorruption, "damaged"},
      {"second line", kHeader + kHex + "\n\n", ErrorCode::kCorruption, "damaged"},
      {"65 hex digits", kHeader + kHex + "0\n", ErrorCode::kCorruption, "damaged"},
      {"63 hex digits and a space", kHeader + kHex.substr(1) + " \n", ErrorCode::kCorruption,
       "64 lowercase hex"},
      {"upper case", kHeader + "9D" + kHex.substr(2) + "\n", ErrorCode::kCorruption,
       "64 lowercase hex"},
      {"not hex", kHeader + "zz" + kHex.substr(2) + "\n", ErrorCode::kCorruption,
       "64 lowercase hex"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const TempDir dir("zg-credential");
    const std::string path = dir.file("gate.key");
    write_file(path, c.text, 0600);
    const Result<SigningKey> key = load_or_create_signing_key(path);
    ASSERT_FALSE(key.is_ok());
    EXPECT_EQ(key.status().first().code, c.code);
    const std::string& message = key.status().first().message;
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(c.why), std::string::npos) << message;
    EXPECT_EQ(read_file(path), c.text);  // refused, never replaced
  }
}

TEST(CredentialKeyFile, RefusesAKeyOthersMayRead) {
  for (const mode_t mode : {0644, 0640, 0604, 0660, 0602, 0601, 0610}) {
    SCOPED_TRACE(mode);
    const TempDir dir("zg-credential");
    const std::string path = dir.file("gate.key");
    ASSERT_TRUE(load_or_create_signing_key(path).is_ok());
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    const Result<SigningKey> key = load_or_create_signing_key(path);
    ASSERT_FALSE(key.is_ok());
    const std::string& message = key.status().first().message;
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("must be private"), std::string::npos) << message;
    char mode_text[8];
    std::snprintf(mode_text, sizeof mode_text, "%04o", static_cast<unsigned>(mode));
    EXPECT_NE(message.find(mode_text), std::string::npos) << message;
  }
}

TEST(CredentialKeyFile, RefusesADirectoryAndAMissingDirectory) {
  const TempDir dir("zg-credential");
  const std::string directory = dir.file("gate.key");
  ASSERT_EQ(::mkdir(directory.c_str(), 0700), 0);
  const Result<SigningKey> at_directory = load_or_create_signing_key(directory);
  ASSERT_FALSE(at_directory.is_ok());
  EXPECT_NE(at_directory.status().first().message.find("not a regular file"), std::string::npos)
      << at_directory.status().first().message;

  const std::string nowhere = dir.file("missing/gate.key");
  const Result<SigningKey> in_nowhere = load_or_create_signing_key(nowhere);
  ASSERT_FALSE(in_nowhere.is_ok());
  EXPECT_EQ(in_nowhere.status().first().code, ErrorCode::kIoError);
  EXPECT_NE(in_nowhere.status().first().message.find(nowhere), std::string::npos)
      << in_nowhere.status().first().message;
}

}  // namespace
}  // namespace zg::gate
