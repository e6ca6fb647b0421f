// Reading the baseline script's JSON into the same figures the agent side fills.
#include "tests/bench/bench_figures.h"

namespace eo::bench {

namespace {

PhaseFigures phase_from_json(const nlohmann::json& j) {
  PhaseFigures p;
  if (j.is_null()) return p;
  p.measured = true;
  p.probes = j.at("probes").get<std::uint64_t>();
  p.failures = j.at("failures").get<std::uint64_t>();
  p.wall_s = j.at("wall_s").get<double>();
  p.user_s = j.at("user_s").get<double>();
  p.sys_s = j.at("sys_s").get<double>();
  p.server_cpu_s = j.value("server_cpu_s", -1.0);
  p.first_failure = j.value("first_failure", "");
  return p;
}

TransportFigures transport_from_json(const nlohmann::json& j) {
  TransportFigures t;
  t.measured = true;
  const auto& h = j.at("held");
  t.request = phase_from_json(j.at("request"));
  t.session = phase_from_json(j.at("session"));
  t.peak_rss = j.at("peak_rss").get<std::size_t>();
  if (h.is_null()) return t;
  t.held.measured = true;
  t.held.attempted = h.at("attempted").get<std::uint64_t>();
  t.held.held = h.at("held").get<std::uint64_t>();
  t.held.failures = h.at("failures").get<std::uint64_t>();
  t.held.rss_before = h.at("rss_before").get<std::size_t>();
  t.held.rss_held = h.at("rss_held").get<std::size_t>();
  t.held.rss_after_requests = h.at("rss_after_requests").get<std::size_t>();
  t.held.open_wall_s = h.at("open_wall_s").get<double>();
  t.held.first_failure = h.value("first_failure", "");
  return t;
}

}  // namespace

Figures figures_from_json(const nlohmann::json& document) {
  Figures f;
  f.runtime = document.value("runtime", "");
  f.nofile = document.value("nofile", 0L);
  if (document.contains("tcp")) f.tcp = transport_from_json(document.at("tcp"));
  if (document.contains("tls")) f.tls = transport_from_json(document.at("tls"));
  return f;
}

}  // namespace eo::bench
