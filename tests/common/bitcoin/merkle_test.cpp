// Merkle roots and Electrum-style branches: block 100000, genesis, and small synthetic trees.
#include "common/bitcoin/merkle.h"

#include "common/bitcoin/hash.h"
#include "common/bitcoin/hex.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eo::bitcoin {
namespace {

Hash256 display(const std::string& hex) { return hash256_from_display_hex(hex).value(); }

std::vector<Hash256> synthetic_leaves(std::size_t n) {
  std::vector<Hash256> leaves;
  for (std::size_t i = 0; i < n; ++i) {
    const Bytes seed{static_cast<std::uint8_t>(i), 0x5a};
    leaves.push_back(sha256(seed));
  }
  return leaves;
}

TEST(Merkle, Block100000) {
  // Block 100000's four txids and merkle root (as displayed by explorers).
  const std::vector<Hash256> txids = {
      display("8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87"),
      display("fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4"),
      display("6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4"),
      display("e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d"),
  };
  const Hash256 root = merkle_root(txids);
  EXPECT_EQ(to_reversed_hex(root),
            "f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766");
  for (std::size_t pos = 0; pos < txids.size(); ++pos) {
    const auto branch = merkle_branch(txids, pos);
    ASSERT_TRUE(branch);
    EXPECT_EQ(branch->siblings.size(), 2u);
    EXPECT_TRUE(verify_merkle_branch(txids[pos], *branch, root)) << pos;
  }
}

TEST(Merkle, SingleLeafIsItsOwnRoot) {
  // The genesis block has one transaction: its txid is the merkle root.
  const Hash256 txid = display("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
  EXPECT_EQ(merkle_root(std::vector<Hash256>{txid}), txid);
  const auto branch = merkle_branch(std::vector<Hash256>{txid}, 0);
  ASSERT_TRUE(branch);
  EXPECT_TRUE(branch->siblings.empty());
  EXPECT_TRUE(verify_merkle_branch(txid, *branch, txid));
}

TEST(Merkle, EmptyListGivesZeroRoot) {
  EXPECT_EQ(merkle_root(std::vector<Hash256>{}), Hash256{});
  EXPECT_FALSE(merkle_branch(std::vector<Hash256>{}, 0));
}

TEST(Merkle, OddLevelsDuplicateTheLastNode) {
  const auto l = synthetic_leaves(5);
  // Level 1: (0,1) (2,3) (4,4); level 2: (01,23) (44,44); root: (0123, 4444).
  const Hash256 n01 = merkle_parent(l[0], l[1]);
  const Hash256 n23 = merkle_parent(l[2], l[3]);
  const Hash256 n44 = merkle_parent(l[4], l[4]);
  const Hash256 expected = merkle_parent(merkle_parent(n01, n23), merkle_parent(n44, n44));
  EXPECT_EQ(merkle_root(l), expected);

  const auto three = synthetic_leaves(3);
  EXPECT_EQ(merkle_root(three),
            merkle_parent(merkle_parent(three[0], three[1]), merkle_parent(three[2], three[2])));
}

TEST(Merkle, BranchesRoundTripOnSmallTrees) {
  for (std::size_t n : {1, 2, 3, 5, 8}) {
    const auto leaves = synthetic_leaves(n);
    const Hash256 root = merkle_root(leaves);
    for (std::size_t pos = 0; pos < n; ++pos) {
      const auto branch = merkle_branch(leaves, pos);
      ASSERT_TRUE(branch) << n << "/" << pos;
      EXPECT_EQ(branch->pos, pos);
      EXPECT_EQ(merkle_root_from_branch(leaves[pos], *branch), root) << n << "/" << pos;
      // Electrum's JSON form round-trips through displayed hex.
      std::vector<std::string> hex;
      for (const auto& s : branch->siblings) hex.push_back(to_reversed_hex(s));
      EXPECT_EQ(merkle_branch_from_display_hex(hex, pos), branch);
    }
    EXPECT_FALSE(merkle_branch(leaves, n));
  }
}

TEST(Merkle, TamperedBranchesFail) {
  const auto leaves = synthetic_leaves(8);
  const Hash256 root = merkle_root(leaves);
  auto branch = *merkle_branch(leaves, 5);
  EXPECT_TRUE(verify_merkle_branch(leaves[5], branch, root));
  EXPECT_FALSE(verify_merkle_branch(leaves[4], branch, root));  // wrong leaf

  MerkleBranch wrong_pos = branch;
  wrong_pos.pos = 4;
  EXPECT_FALSE(verify_merkle_branch(leaves[5], wrong_pos, root));

  MerkleBranch extra_bits = branch;
  extra_bits.pos = 5 + 8;  // a bit above the tree's height
  EXPECT_FALSE(merkle_root_from_branch(leaves[5], extra_bits));

  MerkleBranch flipped = branch;
  flipped.siblings[1][0] ^= 1;
  EXPECT_FALSE(verify_merkle_branch(leaves[5], flipped, root));

  MerkleBranch too_long;
  too_long.siblings.resize(65);
  EXPECT_FALSE(merkle_root_from_branch(leaves[0], too_long));
}

TEST(Merkle, DisplayHexRejectsMalformedHashes) {
  EXPECT_FALSE(merkle_branch_from_display_hex(std::vector<std::string>{"00"}, 0));
  EXPECT_FALSE(merkle_branch_from_display_hex(std::vector<std::string>{std::string(64, 'g')}, 0));
  EXPECT_FALSE(
      merkle_branch_from_display_hex(std::vector<std::string>(65, std::string(64, '0')), 0));
}

}  // namespace
}  // namespace eo::bitcoin
