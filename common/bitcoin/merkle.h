// Block merkle trees: the root of a txid list, Electrum-style branches, and branch checks.
#pragma once

#include "common/bitcoin/bytes.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace eo::bitcoin {

// Hash of two nodes: double_sha256(left || right).
Hash256 merkle_parent(const Hash256& left, const Hash256& right);

// Bitcoin's merkle root of leaves in internal byte order: on a level with an odd number of
// nodes the last one is paired with itself. One leaf is its own root; no leaves give zeros.
Hash256 merkle_root(std::span<const Hash256> leaves);

// What blockchain.transaction.get_merkle returns: the sibling at each level from the leaf up,
// and the leaf's position in the block (bit i of pos says the node is the right child at i).
struct MerkleBranch {
  std::vector<Hash256> siblings;  // internal byte order
  std::uint64_t pos = 0;

  bool operator==(const MerkleBranch&) const = default;
};

// nullopt if pos is out of range.
std::optional<MerkleBranch> merkle_branch(std::span<const Hash256> leaves, std::size_t pos);

// The root a branch leads to from `leaf`; nullopt if pos has bits beyond the branch's height
// or the branch is longer than 64 levels.
std::optional<Hash256> merkle_root_from_branch(const Hash256& leaf, const MerkleBranch& branch);

bool verify_merkle_branch(const Hash256& leaf, const MerkleBranch& branch, const Hash256& root);

// Builds a branch from Electrum's JSON fields ("merkle": displayed hex hashes, "pos").
std::optional<MerkleBranch> merkle_branch_from_display_hex(std::span<const std::string> merkle,
                                                           std::uint64_t pos);

}  // namespace eo::bitcoin
