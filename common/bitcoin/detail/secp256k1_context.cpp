// Creates the shared secp256k1 context and blinds it with OpenSSL randomness.
#include "common/bitcoin/detail/secp256k1_context.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <secp256k1.h>

#include <array>
#include <cstdio>
#include <cstdlib>

namespace eo::bitcoin::detail {

const secp256k1_context_struct* secp_context() {
  static const secp256k1_context* context = [] {
    secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (ctx == nullptr) {
      std::fprintf(stderr, "eo::bitcoin: secp256k1_context_create failed\n");
      std::abort();
    }
    // Randomization only hardens key operations against side channels; without entropy the
    // context is still correct, so a RAND_bytes failure is not fatal.
    std::array<unsigned char, 32> seed{};
    if (RAND_bytes(seed.data(), static_cast<int>(seed.size())) == 1 &&
        secp256k1_context_randomize(ctx, seed.data()) != 1) {
      std::fprintf(stderr, "eo::bitcoin: secp256k1_context_randomize failed (continuing)\n");
    }
    OPENSSL_cleanse(seed.data(), seed.size());
    return ctx;
  }();
  return context;
}

}  // namespace eo::bitcoin::detail
