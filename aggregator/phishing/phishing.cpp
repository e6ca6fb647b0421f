// Markers are plain substring and character-class scans, not regular expressions: the texts come
// from untrusted servers and the scan must stay linear and never throw.
#include "aggregator/phishing/phishing.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>

namespace eo::aggregator::phishing {

namespace {

constexpr std::array kSchemes{"http://", "https://", "ftp://", "www."};
// Top-level domains a lure names without a scheme ("electrum-update.example/get").
constexpr std::array kTlds{"com", "org", "net", "io", "info", "biz", "xyz",   "site",   "online",
                           "app", "dev", "me",  "co", "ru",   "top", "onion", "example"};
constexpr std::array kLures{"update",   "upgrade",     "download",   "install", "new version",
                            "outdated", "out of date", "vulnerable", "visit ",  "click"};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_label(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-'; }

// The URL-ish token around position `at` (up to whitespace, quotes or markup).
std::string token_at(const std::string& text, std::size_t begin) {
  std::size_t end = begin;
  while (end < text.size() && end - begin < 200 &&
         !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '"' &&
         text[end] != '\'' && text[end] != '<' && text[end] != '>') {
    ++end;
  }
  return text.substr(begin, end - begin);
}

void find_urls(const std::string& text, std::vector<std::string>& out) {
  for (const char* scheme : kSchemes) {
    if (auto at = text.find(scheme); at != std::string::npos) {
      out.push_back("url:" + token_at(text, at));
      return;
    }
  }
  // A bare domain: a label of two or more characters, a dot, a known top-level domain, then a
  // character that cannot continue it.
  for (std::size_t dot = text.find('.'); dot != std::string::npos; dot = text.find('.', dot + 1)) {
    std::size_t begin = dot;
    while (begin > 0 && (is_label(text[begin - 1]) || text[begin - 1] == '.')) --begin;
    if (dot - begin < 2 || !is_label(text[dot - 1])) continue;
    for (const char* tld : kTlds) {
      const std::string_view t(tld);
      if (text.compare(dot + 1, t.size(), t) != 0) continue;
      const std::size_t after = dot + 1 + t.size();
      if (after < text.size() && (is_label(text[after]))) continue;
      out.push_back("url:" + token_at(text, begin));
      return;
    }
  }
}

void find_html(const std::string& text, std::vector<std::string>& out) {
  for (std::size_t lt = text.find('<'); lt != std::string::npos; lt = text.find('<', lt + 1)) {
    std::size_t i = lt + 1;
    if (i < text.size() && (text[i] == '/' || text[i] == '!')) ++i;
    const std::size_t name = i;
    while (i < text.size() && is_alpha(text[i])) ++i;
    if (i == name || i >= text.size()) continue;
    if (text[i] == '>' || text[i] == '/' || std::isspace(static_cast<unsigned char>(text[i]))) {
      out.push_back("html:" + text.substr(lt, std::min<std::size_t>(i - lt + 1, 40)));
      return;
    }
  }
}

void find_lures(const std::string& text, std::vector<std::string>& out) {
  for (const char* word : kLures) {
    if (text.find(word) != std::string::npos) {
      std::string w(word);
      if (w.back() == ' ') w.pop_back();
      out.push_back("lure:" + w);
    }
  }
}

// A reply line that was no JSON-RPC reply: its bare error string, else the line itself.
std::string line_text(const std::string& line) {
  auto parsed = nlohmann::json::parse(line, nullptr, false);
  if (parsed.is_object()) {
    auto error = parsed.find("error");
    if (error != parsed.end() && error->is_string()) return error->get<std::string>();
  }
  return line;
}

// The texts a broadcast_check result holds: each case's error message (or its raw reply line
// when that was no JSON-RPC reply), by case name.
std::vector<std::pair<std::string, std::string>> error_texts(const std::string& result_json) {
  std::vector<std::pair<std::string, std::string>> out;
  auto result = nlohmann::json::parse(result_json, nullptr, false);
  if (!result.is_object()) return out;
  for (const auto& [name, answer] : result.items()) {
    if (!answer.is_object()) continue;
    if (auto line = answer.find("line"); line != answer.end() && line->is_string()) {
      out.emplace_back(name, line_text(line->get<std::string>()));
      continue;
    }
    auto error = answer.find("error");
    if (error == answer.end() || !error->is_object()) continue;
    auto message = error->find("message");
    if (message != error->end() && message->is_string()) {
      out.emplace_back(name, message->get<std::string>());
    }
  }
  return out;
}

struct Seen {
  std::string server;
  std::string message;
  std::string case_name;
  std::vector<std::string> markers;
  std::set<std::string> evidence;
  std::set<std::string> vantages;
  std::set<std::string> clean_vantages;  // answered without markers
};

findings::Finding finding_of(const std::string& target, const Seen& seen) {
  findings::Finding f;
  f.kind = findings::kPhishingBroadcast;
  f.server = seen.server;
  f.target_id = target;
  f.evidence.assign(seen.evidence.begin(), seen.evidence.end());
  std::vector<std::string> vantages(seen.vantages.begin(), seen.vantages.end());
  std::vector<std::string> clean;
  std::set_difference(seen.clean_vantages.begin(), seen.clean_vantages.end(), seen.vantages.begin(),
                      seen.vantages.end(), std::back_inserter(clean));
  std::string names, kinds;
  for (const auto& v : vantages) names += (names.empty() ? "" : ", ") + v;
  for (const auto& m : seen.markers) {
    const std::string kind = m.substr(0, m.find(':'));
    if (kinds.find(kind) == std::string::npos) kinds += (kinds.empty() ? "" : ", ") + kind;
  }
  f.summary = target + " answered a rejected broadcast with a phishing message (" + kinds +
              ") seen from " + names;
  f.details["message"] = escape_message(seen.message);
  f.details["case"] = seen.case_name;
  f.details["markers"] = seen.markers;
  f.details["vantages"] = vantages;
  f.details["clean_vantages"] = clean;
  return f;
}

}  // namespace

std::vector<std::string> markers_of(std::string_view raw) {
  const std::string text = lower(raw);
  std::vector<std::string> out;
  find_urls(text, out);
  find_html(text, out);
  find_lures(text, out);
  return out;
}

std::string escape_message(std::string_view text, std::size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  const std::size_t n = std::min(text.size(), max_bytes);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c >= 0x20 && c < 0x7f && c != '<' && c != '>' && c != '&' && c != '\\' && c != '`') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (text.size() > max_bytes) out += "...";
  return out;
}

std::vector<findings::Finding> find_phishing(std::span<const results::ObservationRow> rows) {
  std::map<std::string, Seen> by_target;
  for (const auto& row : rows) {
    if (row.probe_name != kProbe) continue;
    Seen& seen = by_target[row.target_id];
    seen.server = row.target_host;
    bool phishing = false, answered = false;
    for (const auto& [case_name, message] : error_texts(row.result_json)) {
      answered = true;
      auto markers = markers_of(message);
      if (markers.empty()) continue;
      phishing = true;
      if (seen.markers.empty()) {
        seen.message = message;
        seen.case_name = case_name;
        seen.markers = std::move(markers);
      }
    }
    if (phishing) {
      seen.evidence.insert(row.observation_id);
      seen.vantages.insert(row.vantage_id);
    } else if (answered) {
      seen.clean_vantages.insert(row.vantage_id);
    }
  }
  std::vector<findings::Finding> out;
  for (const auto& [target, seen] : by_target) {
    if (!seen.evidence.empty()) out.push_back(finding_of(target, seen));
  }
  return out;
}

}  // namespace eo::aggregator::phishing
