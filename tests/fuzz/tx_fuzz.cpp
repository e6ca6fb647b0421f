// libFuzzer target for transaction decoding (common/bitcoin/tx): the bytes of a client's
// blockchain.transaction.broadcast (after hex) and of a server's blockchain.transaction.get.
//
// Checked on every input: no crash or sanitizer report; a parsed transaction serializes back to
// exactly the input (the format has one encoding: minimal CompactSizes, no witness marker without
// a witness), its txid is its wtxid when it has no witness; read_transaction inside a larger
// buffer takes the same transaction and leaves the rest unread, and leaves the reader untouched
// when it fails.
#include "common/bitcoin/tx.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>

namespace {

using namespace eo::bitcoin;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteSpan input(data, size);
  const auto tx = parse_transaction(input);

  ByteReader reader(input);
  const auto prefix = read_transaction(reader);
  if (prefix) {
    const std::size_t used = reader.position();
    FUZZ_CHECK(used > 0 && used <= size);
    FUZZ_CHECK(serialize(*prefix) == Bytes(data, data + used));
    const auto alone = parse_transaction(input.first(used));
    FUZZ_CHECK(alone && *alone == *prefix);
    FUZZ_CHECK(tx.has_value() == (used == size));
  } else {
    FUZZ_CHECK(reader.position() == 0);
    FUZZ_CHECK(!tx);
  }
  if (!tx) return 0;
  FUZZ_CHECK(serialize(*tx) == Bytes(data, data + size));
  FUZZ_CHECK(!tx->inputs.empty());
  if (!tx->has_witness()) {
    FUZZ_CHECK(txid(*tx) == wtxid(*tx));
    FUZZ_CHECK(serialize_without_witness(*tx) == serialize(*tx));
  }
  FUZZ_CHECK(txid_hex(*tx).size() == 64);
  return 0;
}
