#include "exchange/envelope.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

namespace zg::exchange {
namespace {

struct Pair {
  PartyKeys hengqin = generate_party("HENGQIN-CUSTOMS");
  PartyKeys macao = generate_party("MACAO-CUSTOMS");
  SharedKey sending = *shared_key(hengqin.box_secret, macao.box_public);
  SharedKey receiving = *shared_key(macao.box_secret, hengqin.box_public);
  std::string seal_for_macao(const Letter& l) const {
    return *seal(hengqin, macao.box_public, sending, l);
  }
  Result<Opened> open_at_macao(std::string_view envelope) const {
    return open(envelope, public_of(hengqin), public_of(macao), receiving);
  }
};

Letter letter() {
  return Letter{"MACAO-CUSTOMS", "m-17", "joint_inspection", "2024-05-03T08:16:02+08:00",
                R"({"declaration":"HQ24050300007","finding":"compliant"})"};
}

TEST(Envelope, SealsAndOpensBetweenTwoParties) {
  Pair p;
  EXPECT_EQ(p.sending, p.receiving);  // X25519: both sides derive the same key
  const std::string envelope = p.seal_for_macao(letter());
  EXPECT_EQ(envelope.find("HQ24050300007"), std::string::npos) << "the body is not sealed";
  Result<Opened> opened = p.open_at_macao(envelope);
  ASSERT_TRUE(opened.is_ok()) << opened.status().first().message;
  EXPECT_EQ(opened->body, letter().body);
  EXPECT_EQ(opened->id, "m-17");
  EXPECT_EQ(opened->kind, "joint_inspection");
  EXPECT_EQ(opened->from, "HENGQIN-CUSTOMS");
  // Two seals of the same letter differ (fresh nonces) and both open.
  EXPECT_NE(p.seal_for_macao(letter()), envelope);
}

TEST(Envelope, EveryChangedByteIsRefused) {
  Pair p;
  const std::string envelope = p.seal_for_macao(letter());
  for (size_t i = 0; i < envelope.size(); ++i) {
    std::string changed = envelope;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    EXPECT_FALSE(p.open_at_macao(changed).is_ok()) << "byte " << i << " of " << envelope;
  }
}

TEST(Envelope, WrongRecipientUnknownSenderAndOtherKeysAreRefused) {
  Pair p;
  const std::string envelope = p.seal_for_macao(letter());
  const PartyKeys bank = generate_party("BANK-OF-HENGQIN");
  EXPECT_FALSE(open(envelope, public_of(p.hengqin), public_of(bank), p.receiving).is_ok());
  const PartyKeys impostor = generate_party("HENGQIN-CUSTOMS");
  EXPECT_FALSE(open(envelope, public_of(impostor), public_of(p.macao), p.receiving).is_ok());
  EXPECT_FALSE(open(envelope, public_of(p.hengqin), public_of(p.macao),
                    *shared_key(bank.box_secret, p.hengqin.box_public))
                   .is_ok());
  // Signed by the real sender but sealed for someone else: refused.
  const std::string for_bank = *seal(p.hengqin, bank.box_public,
                                     *shared_key(p.hengqin.box_secret, bank.box_public), letter());
  EXPECT_FALSE(p.open_at_macao(for_bank).is_ok());
  EXPECT_FALSE(p.open_at_macao("{}").is_ok());
  EXPECT_FALSE(p.open_at_macao("not json").is_ok());
  std::string extra = envelope;
  extra.insert(1, R"("extra":"x",)");
  EXPECT_FALSE(p.open_at_macao(extra).is_ok());
}

// Mallory takes Hengqin's envelope, names himself the sender and claims
// Hengqin's box key as his own: the box still opens (same keys), but the
// signature inside it is Hengqin's, over "from HENGQIN-CUSTOMS".
TEST(Envelope, AnotherSenderCannotClaimTheBox) {
  Pair p;
  const PartyKeys mallory = generate_party("MALLORY");
  const std::string envelope = p.seal_for_macao(letter());
  PartyPublic claimed = public_of(mallory);
  claimed.box = p.hengqin.box_public;
  std::string renamed = envelope;
  renamed.replace(renamed.find("HENGQIN-CUSTOMS"), 15, "MALLORY");
  Result<Opened> opened = open(renamed, claimed, public_of(p.macao), p.receiving);
  ASSERT_FALSE(opened.is_ok());
  EXPECT_NE(opened.status().first().message.find("signature"), std::string::npos);
}

TEST(Envelope, UnusableKeysAndHeaderFieldsAreRefused) {
  Pair p;
  EXPECT_FALSE(shared_key(p.hengqin.box_secret, BoxPublicKey{}).is_ok());
  Letter bad = letter();
  bad.id = "m\n3";
  EXPECT_FALSE(seal(p.hengqin, p.macao.box_public, p.sending, bad).is_ok());
  bad.id = "";
  EXPECT_FALSE(seal(p.hengqin, p.macao.box_public, p.sending, bad).is_ok());
}

TEST(Envelope, KeyFilesRoundTripAndMustBePrivate) {
  const std::string path = testing::TempDir() + "zg-exchange-" + std::to_string(getpid()) + ".key";
  const PartyKeys keys = generate_party("MACAO-CUSTOMS");
  ASSERT_TRUE(write_party_keys(path, keys).is_ok());
  Result<PartyKeys> read = read_party_keys(path);
  ASSERT_TRUE(read.is_ok()) << read.status().first().message;
  EXPECT_EQ(read->name, "MACAO-CUSTOMS");
  EXPECT_EQ(read->sign.public_key(), keys.sign.public_key());
  EXPECT_EQ(read->box_public, keys.box_public);
  // An existing key is never overwritten.
  EXPECT_FALSE(write_party_keys(path, generate_party("OTHER")).is_ok());
  EXPECT_EQ(read_party_keys(path)->box_public, keys.box_public);
  ::chmod(path.c_str(), 0644);
  EXPECT_FALSE(read_party_keys(path).is_ok());
  std::filesystem::remove(path);
  EXPECT_FALSE(read_party_keys(path).is_ok());
}

}  // namespace
}  // namespace zg::exchange
