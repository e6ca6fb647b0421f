// Known-answer tests of the privacy analysis on synthetic event streams.
#include "common/privacy/privacy_report.h"

#include <gtest/gtest.h>

namespace eo::privacy {
namespace {

// Our own test wallets' addresses may be shown.
ReportOptions with_ips() {
  ReportOptions options;
  options.show_ips = true;
  return options;
}

struct Stream {
  std::vector<v1::HoneypotEvent> events;
  std::int64_t t = 1'700'000'000'000'000;

  v1::HoneypotEvent& add(const std::string& session, const std::string& ip,
                         v1::HoneypotEventKind kind, std::int64_t dt_us = 100'000) {
    t += dt_us;
    auto& e = events.emplace_back();
    e.set_session_id(session);
    e.set_peer_ip(ip);
    e.set_kind(kind);
    e.set_time_unix_us(t);
    e.set_transport("tcp");
    return e;
  }
  void wallet_session(const std::string& session, const std::string& ip, int first, int count,
                      const std::string& client = "electrum/4.3.4") {
    add(session, ip, v1::HONEYPOT_EVENT_CONNECT);
    auto& v = add(session, ip, v1::HONEYPOT_EVENT_VERSION);
    v.set_client_name(client);
    v.set_protocol_min("1.4");
    v.set_protocol_max("1.4");
    for (int i = first; i < first + count; ++i) {
      auto& r = add(session, ip, v1::HONEYPOT_EVENT_REQUEST, 1000);
      r.set_method("blockchain.scripthash.subscribe");
      r.add_scripthashes("sh" + std::to_string(i));
    }
  }
};

TEST(PrivacyReport, OneWalletSessionWithItsWindowSoftwareAndBroadcast) {
  Stream s;
  s.wallet_session("s1", "10.1.0.2", 0, 30);
  for (int i = 0; i < 4; ++i) {
    s.add("s1", "10.1.0.2", v1::HONEYPOT_EVENT_REQUEST, 30'000'000).set_method("server.ping");
  }
  s.add("s1", "10.1.0.2", v1::HONEYPOT_EVENT_BROADCAST).set_txid("ab12");
  auto report = analyze(s.events, with_ips());
  ASSERT_EQ(report.wallets.size(), 1u);
  const auto& w = report.wallets[0];
  EXPECT_EQ(w.scripthashes.size(), 30u);
  EXPECT_EQ(w.inferred_software, "Electrum 4.3.4");
  EXPECT_NE(w.gap_pattern.find("20 receiving + 10 change"), std::string::npos) << w.gap_pattern;
  EXPECT_NEAR(w.ping_interval_mean_s, 30.0, 0.01);
  EXPECT_NEAR(w.ping_interval_cv, 0.0, 0.01);
  ASSERT_EQ(report.broadcasts.size(), 1u);
  EXPECT_EQ(report.broadcasts[0].txid, "ab12");
  EXPECT_EQ(report.broadcasts[0].address, "10.1.0.2");
  EXPECT_EQ(report.broadcasts[0].wallet_id, "wallet-1");
  EXPECT_FALSE(report.recommendations.empty());
  EXPECT_NE(to_markdown(report).find("| wallet-1 | 1 | 10.1.0.2 | 30 | Electrum 4.3.4"),
            std::string::npos)
      << to_markdown(report);
}

TEST(PrivacyReport, SameWalletFromTwoAddressesIsOneWallet) {
  Stream s;
  s.wallet_session("a", "10.1.0.2", 0, 30);
  s.wallet_session("b", "10.2.0.2", 10, 30);  // overlaps on sh10..sh29
  s.wallet_session("c", "10.3.0.2", 100, 5);  // another wallet
  auto report = analyze(s.events, with_ips());
  ASSERT_EQ(report.wallets.size(), 2u);
  EXPECT_EQ(report.wallets[0].sessions, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(report.wallets[0].addresses, (std::set<std::string>{"10.1.0.2", "10.2.0.2"}));
  EXPECT_EQ(report.wallets[0].scripthashes.size(), 40u);
  EXPECT_EQ(report.wallets[1].sessions, std::vector<std::string>{"c"});
  auto json = to_json(report);
  EXPECT_EQ(json["wallets"][0]["scripthash_count"], 40);
}

TEST(PrivacyReport, IpsArePseudonymousUnlessAskedFor) {
  Stream s;
  s.wallet_session("a", "10.1.0.2", 0, 3);
  auto hidden = analyze(s.events, {});
  EXPECT_EQ(hidden.wallets[0].addresses.begin()->rfind("anon-", 0), 0u);
  EXPECT_EQ(to_json(hidden).dump().find("10.1.0.2"), std::string::npos);
}

TEST(PrivacyReport, SessionsWithoutScriptHashesAreNotWallets) {
  Stream s;
  s.add("probe", "10.9.0.1", v1::HONEYPOT_EVENT_CONNECT);
  auto report = analyze(s.events, {});
  EXPECT_EQ(report.sessions.size(), 1u);
  EXPECT_TRUE(report.wallets.empty());
  EXPECT_TRUE(report.recommendations.empty());
}

}  // namespace
}  // namespace eo::privacy
