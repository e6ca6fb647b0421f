// Script templates, address <-> script per network, and Electrum scripthashes, checked against
// the Electrum protocol docs and the BIP143/BIP49/BIP84 examples.
#include "common/bitcoin/script.h"

#include "common/bitcoin/hex.h"
#include "tests/common/bitcoin/test_hex.h"

#include <gtest/gtest.h>

namespace eo::bitcoin {
namespace {

using testing::unhex;
using testing::unhex_array;

TEST(ElectrumScripthash, ProtocolDocsExample) {
  // Electrum protocol docs ("Script Hashes"): the P2PKH output of the genesis coinbase key.
  const auto script = address_to_script("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", Network::mainnet);
  ASSERT_TRUE(script);
  EXPECT_EQ(to_hex(*script), "76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac");
  EXPECT_EQ(electrum_scripthash(*script),
            "8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161");
}

TEST(Script, P2pkhRoundTripAndNetworkCheck) {
  const auto hash = unhex_array<20>("62e907b15cbf27d5425399ebf6f0fb50ebb88f18");
  const Bytes script = p2pkh_script(hash);
  EXPECT_EQ(classify_script(script), ScriptType::p2pkh);
  EXPECT_EQ(script_to_address(script, Network::mainnet), "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
  EXPECT_FALSE(address_to_script("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", Network::testnet));
  // Testnet and regtest share Base58 version bytes (0x6f/0xc4).
  const auto testnet_address = script_to_address(script, Network::testnet);
  ASSERT_TRUE(testnet_address);
  EXPECT_EQ(script_to_address(script, Network::regtest), testnet_address);
  EXPECT_EQ(address_to_script(*testnet_address, Network::regtest), script);
}

TEST(Script, Bip143NativeP2wpkh) {
  const Bytes pubkey = unhex("025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee6357");
  const Bytes script = p2wpkh_script_for_pubkey(pubkey);
  EXPECT_EQ(to_hex(script), "00141d0f172a0ecb48aee1be1f2687d2963ae33f71a1");
  EXPECT_EQ(classify_script(script), ScriptType::p2wpkh);
}

TEST(Script, Bip143NestedP2shP2wpkh) {
  const Bytes pubkey = unhex("03ad1d8e89212f0b92c74d23bb710c00662ad1470198ac48c43f7d6f93a2a26873");
  EXPECT_EQ(to_hex(p2sh_p2wpkh_redeem_script(pubkey)),
            "001479091972186c449eb1ded22b78e40d009bdf0089");
  const Bytes script = p2sh_p2wpkh_script_for_pubkey(pubkey);
  EXPECT_EQ(to_hex(script), "a9144733f37cf4db86fbc2efed2500b4f4e49f31202387");
  EXPECT_EQ(classify_script(script), ScriptType::p2sh);
}

TEST(Script, Bip143NativeP2wsh) {
  const Bytes witness_script = unhex(
      "21026dccc749adc2a9d0d89497ac511f760f45c47dc5ed9cf352a58ac706453880aeadab210255a9626aebf5e2"
      "9c0e6538428ba0d1dcf6ca98ffdf086aa8ced5e0d0215ea465ac");
  const Bytes script = p2wsh_script_for_witness_script(witness_script);
  EXPECT_EQ(to_hex(script), "00205d1b56b63d714eebe542309525f484b7e9d6f686b3781b6f61ef925d66d6f6a0");
  EXPECT_EQ(classify_script(script), ScriptType::p2wsh);
}

TEST(Script, Bip49TestnetNestedSegwitAddress) {
  const Bytes pubkey = unhex("03a1af804ac108a8a51782198c2d034b28bf90c8803f5a53f76276fa69a4eae77f");
  EXPECT_EQ(to_hex(p2sh_p2wpkh_redeem_script(pubkey)),
            "001438971f73930f6c141d977ac4fd4a727c854935b3");
  const Bytes script = p2sh_p2wpkh_script_for_pubkey(pubkey);
  EXPECT_EQ(to_hex(script), "a914336caa13e08b96080a32b5d818d59b4ab3b3674287");
  EXPECT_EQ(script_to_address(script, Network::testnet), "2Mww8dCYPUpKHofjgcXcBCEGmniw9CoaiD2");
  EXPECT_EQ(address_to_script("2Mww8dCYPUpKHofjgcXcBCEGmniw9CoaiD2", Network::testnet), script);
  EXPECT_FALSE(address_to_script("2Mww8dCYPUpKHofjgcXcBCEGmniw9CoaiD2", Network::mainnet));
}

TEST(Script, Bip84MainnetNativeSegwitAddresses) {
  const std::pair<const char*, const char*> vectors[] = {
      {"0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c",
       "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"},
      {"03e775fd51f0dfb8cd865d9ff1cca2a158cf651fe997fdc9fee9c1d3b5e995ea77",
       "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"},
      {"03025324888e429ab8e3dbaf1f7802648b9cd01e9b418485c5fa4c1b9b5700e1a6",
       "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el"},
  };
  for (const auto& [pubkey, address] : vectors) {
    const Bytes script = p2wpkh_script_for_pubkey(unhex(pubkey));
    EXPECT_EQ(script_to_address(script, Network::mainnet), address);
    EXPECT_EQ(address_to_script(address, Network::mainnet), script);
  }
}

TEST(Script, RegtestSegwitUsesBcrt) {
  const Bytes script = p2wpkh_script(Hash160{});
  const auto address = script_to_address(script, Network::regtest);
  ASSERT_TRUE(address);
  EXPECT_EQ(address->substr(0, 6), "bcrt1q");
  EXPECT_EQ(address_to_script(*address, Network::regtest), script);
  EXPECT_FALSE(address_to_script(*address, Network::testnet));
}

TEST(Script, P2trTemplate) {
  const auto key =
      unhex_array<32>("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
  const Bytes script = p2tr_script(key);
  EXPECT_EQ(classify_script(script), ScriptType::p2tr);
  // BIP350 vector for this program.
  EXPECT_EQ(script_to_address(script, Network::mainnet),
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0");
}

TEST(Script, Classification) {
  EXPECT_EQ(classify_script(unhex("6002751e")), ScriptType::witness_unknown);
  EXPECT_EQ(classify_script(unhex("5210751e76e8199196d454941c45d1b3a323")),
            ScriptType::witness_unknown);
  EXPECT_EQ(classify_script(unhex("0015" + std::string(42, '0'))), ScriptType::nonstandard);
  EXPECT_EQ(classify_script(unhex("6a0401020304")), ScriptType::nonstandard);  // OP_RETURN
  EXPECT_EQ(classify_script(Bytes{}), ScriptType::nonstandard);
  EXPECT_EQ(classify_script(unhex("0014" + std::string(38, '0'))), ScriptType::nonstandard);
  EXPECT_FALSE(script_to_address(unhex("6a0401020304"), Network::mainnet));
}

TEST(Script, WitnessProgramScriptBounds) {
  EXPECT_FALSE(witness_program_script(0, Bytes(1, 0)));
  EXPECT_FALSE(witness_program_script(0, Bytes(41, 0)));
  EXPECT_FALSE(witness_program_script(17, Bytes(20, 0)));
  EXPECT_EQ(witness_program_script(16, Bytes{0x75, 0x1e}), unhex("6002751e"));
}

TEST(Script, AddressToScriptRejectsGarbage) {
  for (const char* bad : {"", "1", "bc1", "not an address", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",
                          "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNL"}) {
    EXPECT_FALSE(address_to_script(bad, Network::mainnet)) << bad;
  }
}

TEST(Network, NamesRoundTrip) {
  for (Network n : {Network::mainnet, Network::testnet, Network::regtest}) {
    EXPECT_EQ(network_from_string(to_string(n)), n);
  }
  EXPECT_EQ(network_params(Network::regtest).bech32_hrp, "bcrt");
  EXPECT_EQ(network_params(Network::testnet).bech32_hrp, "tb");
  EXPECT_EQ(network_params(Network::mainnet).p2sh_version, 0x05);
  EXPECT_FALSE(network_from_string("signet"));
}

}  // namespace
}  // namespace eo::bitcoin
