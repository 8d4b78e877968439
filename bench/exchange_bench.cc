// Sealing and signing envelopes (src/exchange/envelope.h) on one core, with
// the partner's shared key computed once (crypto_box_beforenm). Baselines in
// the same run: an Ed25519 signature alone, and opening (verify + decrypt).
//
//   build-bench/bench/zonegate_bench_exchange [MESSAGES]   (default 50,000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "exchange/envelope.h"

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  const int messages = argc > 1 ? std::atoi(argv[1]) : 50'000;
  const auto seconds = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  const zg::exchange::PartyKeys hengqin = zg::exchange::generate_party("HENGQIN-CUSTOMS");
  const zg::exchange::PartyKeys macao = zg::exchange::generate_party("MACAO-CUSTOMS");
  const zg::exchange::SharedKey shared =
      *zg::exchange::shared_key(hengqin.box_secret, macao.box_public);
  // A first-line declaration summary, about the size the zone will send.
  zg::exchange::Letter letter{
      "MACAO-CUSTOMS", "", "declaration_summary", "2024-05-03T08:16:02+08:00",
      R"({"declaration":"HQ24050300007","movement":"first_line_entry","declarant":"914404000MA4W2X05J",)"
      R"("lane":"green","release":"released","totals":{"customs_value":"177000.00","duty":"0.00",)"
      R"("consumption_tax":"0.00","vat":"0.00","refund":"0.00"}})"};

  auto start = Clock::now();
  size_t check = 0;
  for (int i = 0; i < messages; ++i) check += hengqin.sign.sign(letter.body)[0];
  const double sign_s = seconds(start) / messages;

  std::vector<std::string> sealed;
  sealed.reserve(static_cast<size_t>(messages));
  start = Clock::now();
  for (int i = 0; i < messages; ++i) {
    letter.id = "m-" + std::to_string(i);
    sealed.push_back(*zg::exchange::seal(hengqin, macao.box_public, shared, letter));
  }
  const double seal_s = seconds(start) / messages;

  const zg::exchange::SharedKey receiving =
      *zg::exchange::shared_key(macao.box_secret, hengqin.box_public);
  const zg::exchange::PartyPublic sender = zg::exchange::public_of(hengqin);
  size_t refused = 0;
  start = Clock::now();
  for (const std::string& envelope : sealed) {
    refused +=
        zg::exchange::open(envelope, sender, zg::exchange::public_of(macao), receiving).is_ok() ? 0
                                                                                                : 1;
  }
  const double open_s = seconds(start) / messages;

  std::printf("baseline: Ed25519 signature of the body: %.1f us (%.0f/s) [%zu]\n", sign_s * 1e6,
              1 / sign_s, check % 10);
  std::printf(
      "seal + sign an envelope (%zu-byte body, shared key precomputed): %.1f us, %.0f "
      "messages/s on one core (target 20,000); %.2fx a bare signature\n",
      letter.body.size(), seal_s * 1e6, 1 / seal_s, seal_s / sign_s);
  std::printf("open (verify + decrypt): %.1f us, %.0f messages/s; refused %zu of %d\n",
              open_s * 1e6, 1 / open_s, refused, messages);
  return refused == 0 ? 0 : 1;
}
