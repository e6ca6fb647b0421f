// Merkle computations over std::vector levels (blocks hold a few thousand txids at most).
#include "common/bitcoin/merkle.h"

#include "common/bitcoin/hash.h"
#include "common/bitcoin/hex.h"

#include <algorithm>

namespace eo::bitcoin {
namespace {

// One level up; `level` has an even size.
std::vector<Hash256> parent_level(const std::vector<Hash256>& level) {
  std::vector<Hash256> up;
  up.reserve(level.size() / 2);
  for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
    up.push_back(merkle_parent(level[i], level[i + 1]));
  }
  return up;
}

}  // namespace

Hash256 merkle_parent(const Hash256& left, const Hash256& right) {
  std::array<std::uint8_t, 64> both{};
  std::copy(left.begin(), left.end(), both.begin());
  std::copy(right.begin(), right.end(), both.begin() + 32);
  return double_sha256(both);
}

Hash256 merkle_root(std::span<const Hash256> leaves) {
  if (leaves.empty()) return Hash256{};
  std::vector<Hash256> level(leaves.begin(), leaves.end());
  while (level.size() > 1) {
    if (level.size() % 2 != 0) level.push_back(level.back());
    level = parent_level(level);
  }
  return level.front();
}

std::optional<MerkleBranch> merkle_branch(std::span<const Hash256> leaves, std::size_t pos) {
  if (pos >= leaves.size()) return std::nullopt;
  MerkleBranch branch;
  branch.pos = pos;
  std::vector<Hash256> level(leaves.begin(), leaves.end());
  std::size_t index = pos;
  while (level.size() > 1) {
    if (level.size() % 2 != 0) level.push_back(level.back());
    branch.siblings.push_back(level[index ^ 1]);
    level = parent_level(level);
    index >>= 1;
  }
  return branch;
}

std::optional<Hash256> merkle_root_from_branch(const Hash256& leaf, const MerkleBranch& branch) {
  const std::size_t height = branch.siblings.size();
  if (height > 64 || (height < 64 && (branch.pos >> height) != 0)) return std::nullopt;
  Hash256 node = leaf;
  for (std::size_t i = 0; i < height; ++i) {
    const bool node_is_right = ((branch.pos >> i) & 1) != 0;
    node = node_is_right ? merkle_parent(branch.siblings[i], node)
                         : merkle_parent(node, branch.siblings[i]);
  }
  return node;
}

bool verify_merkle_branch(const Hash256& leaf, const MerkleBranch& branch, const Hash256& root) {
  const auto computed = merkle_root_from_branch(leaf, branch);
  return computed && *computed == root;
}

std::optional<MerkleBranch> merkle_branch_from_display_hex(std::span<const std::string> merkle,
                                                           std::uint64_t pos) {
  if (merkle.size() > 64) return std::nullopt;
  MerkleBranch branch;
  branch.pos = pos;
  branch.siblings.reserve(merkle.size());
  for (const std::string& hex : merkle) {
    const auto hash = hash256_from_display_hex(hex);
    if (!hash) return std::nullopt;
    branch.siblings.push_back(*hash);
  }
  return branch;
}

}  // namespace eo::bitcoin
