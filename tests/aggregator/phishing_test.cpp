// Phishing markers on known texts: what honest implementations and nodes answer to a rejected
// broadcast gives none; the 2018-19 lures give the markers that name them. And the findings:
// one per target, the observations and vantages that saw it, the message made inert.
#include "aggregator/phishing/phishing.h"

#include <gtest/gtest.h>

namespace eo::aggregator::phishing {
namespace {

using V = std::vector<std::string>;

TEST(PhishingMarkers, HonestRejectionsHaveNone) {
  for (const char* text : {
           "the transaction was rejected by network rules.\n\nbad-txns-inputs-missingorspent\n"
           "[0200000001e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e007000000]",
           "the transaction was rejected by network rules.\n\nTX decode failed\n",
           "TX decode failed. Make sure the tx has at least one input.",
           "mandatory-script-verify-flag-failed (Non-canonical DER signature)",
           "min relay fee not met, 0 < 110",
           "require header height 1,000 <= cp_height 900 <= chain height 800",
           "sendrawtransaction RPC error -26: {\"code\":-26,\"message\":\"missing-inputs\"}",
           "Invalid tx hex",
           "deadbeef should be a hex string",
           "invalid params",
           "Transaction already in block chain",
       }) {
    EXPECT_EQ(markers_of(text), V{}) << text;
  }
}

TEST(PhishingMarkers, LuresAreNamed) {
  EXPECT_EQ(markers_of("<b>Electrum security update required.</b> Download the update at "
                       "<a href=\"https://electrum-update.example\">https://electrum-update."
                       "example</a>"),
            (V{"url:https://electrum-update.example", "html:<b>", "lure:update", "lure:download"}));
  EXPECT_EQ(markers_of("Please visit electrum-4-fix.com/get to continue"),
            (V{"url:electrum-4-fix.com/get", "lure:visit"}));
  EXPECT_EQ(markers_of("Your client is OUT OF DATE"), (V{"lure:out of date"}));
  EXPECT_EQ(markers_of("<br/>x"), (V{"html:<br/"}));
  EXPECT_EQ(markers_of("see www.example"), (V{"url:www.example"}));
}

TEST(PhishingMarkers, NeverThrowOnHostileBytes) {
  std::string bytes;
  for (int i = 0; i < 512; ++i) bytes += static_cast<char>(i * 37);
  bytes += "<";
  EXPECT_NO_THROW(markers_of(bytes));
  EXPECT_NO_THROW(markers_of("."));
  EXPECT_NO_THROW(markers_of("<"));
  EXPECT_EQ(markers_of(""), V{});
}

TEST(EscapeMessage, MarkupBecomesInert) {
  EXPECT_EQ(escape_message("<a href=\"x\">go</a> & `run`\n\x01\\"),
            "\\x3ca href=\"x\"\\x3ego\\x3c/a\\x3e \\x26 \\x60run\\x60\\n\\x01\\x5c");
  EXPECT_EQ(escape_message("abcdef", 3), "abc...");
  EXPECT_EQ(escape_message("\xc3\xa9"), "\\xc3\\xa9");
}

results::ObservationRow row(std::string id, std::string target, std::string vantage,
                            std::string result_json, std::string probe = "broadcast_check") {
  results::ObservationRow r;
  r.observation_id = std::move(id);
  r.target_id = std::move(target);
  r.target_host = "h.example";
  r.vantage_id = std::move(vantage);
  r.probe_name = std::move(probe);
  r.result_json = std::move(result_json);
  return r;
}

TEST(FindPhishing, OneFindingPerTargetNamingObservationsAndVantages) {
  const std::string lure =
      R"({"undecodable":{"error":{"code":1,"message":"<b>Update</b> at https://x.example"}}})";
  const std::string honest =
      R"({"undecodable":{"error":{"code":1,"message":"TX decode failed"}},)"
      R"("unspendable":{"error":{"code":1,"message":"bad-txns-inputs-missingorspent"}}})";
  std::vector<results::ObservationRow> rows = {
      row("o1", "tcp://h.example:50001", "eu", lure),
      row("o2", "tcp://h.example:50001", "us", honest),
      row("o3", "tcp://h.example:50001", "tor", lure),
      row("o4", "tcp://other.example:50001", "eu", honest),
      row("o5", "tcp://h.example:50001", "eu", lure, "hostile_input"),  // another probe
      row("o6", "tcp://h.example:50001", "eu", "not json"),
  };
  auto found = find_phishing(rows);
  ASSERT_EQ(found.size(), 1u);
  const auto& f = found[0];
  EXPECT_EQ(f.kind, findings::kPhishingBroadcast);
  EXPECT_EQ(f.server, "h.example");
  EXPECT_EQ(f.target_id, "tcp://h.example:50001");
  EXPECT_EQ(f.evidence, (V{"o1", "o3"}));
  EXPECT_EQ(f.details["vantages"], (V{"eu", "tor"}));
  EXPECT_EQ(f.details["clean_vantages"], (V{"us"}));
  EXPECT_EQ(f.details["message"], "\\x3cb\\x3eUpdate\\x3c/b\\x3e at https://x.example");
  EXPECT_EQ(f.details["case"], "undecodable");
  EXPECT_EQ(f.summary,
            "tcp://h.example:50001 answered a rejected broadcast with a phishing message (url, "
            "html, lure) seen from eu, tor");
}

TEST(FindPhishing, BareErrorStringsAndNonJsonLinesAreRead) {
  std::vector<results::ObservationRow> rows = {
      row("o1", "tcp://a.example:50001", "eu",
          R"({"undecodable":{"failure":"read:invalid_message",)"
          R"("line":"{\"error\": \"Please update: www.x.example\", \"id\": 1}"}})"),
      row("o2", "tcp://b.example:50001", "eu",
          R"({"undecodable":{"failure":"read:invalid_message","line":"<html>get it</html>"}})"),
      row("o3", "tcp://c.example:50001", "eu",
          R"({"undecodable":{"failure":"read:invalid_message",)"
          R"("line":"{\"error\": \"bad-txns-inputs-missingorspent\", \"id\": 1}"}})"),
  };
  auto found = find_phishing(rows);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].target_id, "tcp://a.example:50001");
  EXPECT_EQ(found[0].details["markers"], (V{"url:www.x.example", "lure:update"}));
  EXPECT_EQ(found[1].target_id, "tcp://b.example:50001");
  EXPECT_EQ(found[1].details["markers"], (V{"html:<html>"}));
}

TEST(FindPhishing, HonestAnswersAndResultsGiveNone) {
  std::vector<results::ObservationRow> rows = {
      row("o1", "tcp://h.example:50001", "eu",
          R"({"undecodable":{"result":"<b>update</b>"},"version":{"result":["x","1.4"]}})"),
      row("o2", "tcp://h.example:50001", "eu", R"({"undecodable":{"failure":"timeout"}})"),
  };
  EXPECT_TRUE(find_phishing(rows).empty());
}

}  // namespace
}  // namespace eo::aggregator::phishing
