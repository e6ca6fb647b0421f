// Report: formats the measured figures side by side and judges each target.
#include "tests/bench/bench_report.h"

#include <cstdio>
#include <string>
#include <vector>

namespace eo::bench {

namespace {

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

std::string mib(std::size_t bytes) { return format("%.1f MiB", bytes / 1048576.0); }
std::string kb(double bytes) { return format("%.1f KB", bytes / 1000.0); }
std::string rate(double per_s) { return format("%.0f", per_s); }
std::string cpu(double per_1000) { return format("%.4f", per_1000); }
std::string ratio(double value) { return value > 0 ? format("%.1f×", value) : "-"; }
std::string verdict(bool pass) { return pass ? "PASS" : "FAIL"; }

double safe_ratio(double a, double b) { return a > 0 && b > 0 ? a / b : 0; }

const TransportFigures& pick(const Figures& figures, bool tls) {
  return tls ? figures.tls : figures.tcp;
}

struct Judge {
  std::ostream& out;
  int failed = 0;

  void line(bool pass, const std::string& what) {
    if (!pass) ++failed;
    out << "  " << verdict(pass) << "  " << what << "\n";
  }
  void skip(const std::string& what) { out << "  SKIP  " << what << "\n"; }
};

void print_phase_split(std::ostream& out, const char* who, const char* unit, const char* transport,
                       const PhaseFigures& phase) {
  out << "  " << who << " " << unit << "/" << transport << ": " << phase.probes << " probes ("
      << phase.failures << " failed) in " << format("%.2f", phase.wall_s) << " s wall, CPU user "
      << format("%.3f", phase.user_s) << " s + sys " << format("%.3f", phase.sys_s) << " s";
  if (phase.server_cpu_s >= 0 && phase.wall_s > 0) {
    out << "; server busy " << format("%.0f%%", 100 * phase.server_cpu_s / phase.wall_s);
  }
  if (!phase.first_failure.empty()) out << "; first failure: " << phase.first_failure;
  out << "\n";
}

const PhaseFigures* phase_of(const Figures* figures, bool tls, bool session_unit) {
  if (figures == nullptr) return nullptr;
  const TransportFigures& t = pick(*figures, tls);
  const PhaseFigures& p = session_unit ? t.session : t.request;
  return t.measured && p.measured ? &p : nullptr;
}

const HeldFigures* held_of(const Figures* figures, bool tls) {
  if (figures == nullptr) return nullptr;
  const TransportFigures& t = pick(*figures, tls);
  return t.measured && t.held.measured ? &t.held : nullptr;
}

void print_held_table(std::ostream& out, const Figures& agent, const Figures* baseline) {
  out << "\n== Sessions held at once (connect (+TLS) + server.version, then kept open) ==\n"
      << "| transport | agent held / server saw | agent open s | agent RSS/session | "
         "agent heap/session | agent peak RSS | baseline held | baseline RSS/session | "
         "baseline peak RSS |\n"
      << "|---|---|---|---|---|---|---|---|---|\n";
  for (bool tls : {false, true}) {
    const HeldFigures* a = held_of(&agent, tls);
    if (a == nullptr) continue;
    out << "| " << (tls ? "TLS" : "TCP") << " | " << a->held << " / " << a->server_held << " | "
        << format("%.2f", a->open_wall_s) << " | " << kb(a->rss_per_session()) << " | "
        << kb(a->heap_per_session()) << " | " << mib(pick(agent, tls).peak_rss) << " | ";
    if (const HeldFigures* b = held_of(baseline, tls)) {
      out << b->held << " | " << kb(b->rss_per_session()) << " | "
          << mib(pick(*baseline, tls).peak_rss) << " |\n";
    } else {
      out << "- | - | - |\n";
    }
  }
}

void print_probe_table(std::ostream& out, const Figures& agent, const Figures* baseline,
                       const Targets& targets) {
  out << "\n== Probes (agent: eo_agent Runner / electrum::Client; baseline: "
      << (baseline ? baseline->runtime + " asyncio" : std::string("not run")) << ") ==\n"
      << "request = one server.ping round trip on an open session; "
         "session = connect (+TLS) + server.version + server.ping + close\n"
      << "| unit | transport | agent probes/s | baseline probes/s | ratio | agent CPU-s/1000 | "
         "baseline CPU-s/1000 | CPU ratio | target | RSS/session |\n"
      << "|---|---|---|---|---|---|---|---|---|---|\n";
  for (bool session_unit : {false, true}) {
    for (bool tls : {false, true}) {
      const PhaseFigures* a = phase_of(&agent, tls, session_unit);
      if (a == nullptr) continue;
      const PhaseFigures* b = phase_of(baseline, tls, session_unit);
      std::string target = format("≥%.0f× probes/s", targets.min_probes_ratio);
      if (!session_unit) {
        target += format(", ≤%.4f CPU",
                         tls ? targets.max_tls_cpu_per_1000 : targets.max_tcp_cpu_per_1000);
      }
      const HeldFigures* held = held_of(&agent, tls);
      out << "| " << (session_unit ? "session" : "request") << " | " << (tls ? "TLS" : "TCP")
          << " | " << rate(a->probes_per_s()) << " | " << (b ? rate(b->probes_per_s()) : "-")
          << " | " << ratio(b ? safe_ratio(a->probes_per_s(), b->probes_per_s()) : 0) << " | "
          << cpu(a->cpu_per_1000()) << " | " << (b ? cpu(b->cpu_per_1000()) : "-") << " | "
          << ratio(b ? safe_ratio(b->cpu_per_1000(), a->cpu_per_1000()) : 0) << " | " << target
          << " | " << (!session_unit && held ? kb(held->rss_per_session()) : "-") << " |\n";
    }
  }
  out << "\nCPU split (getrusage RUSAGE_SELF deltas over each measured phase):\n";
  for (bool session_unit : {false, true}) {
    for (bool tls : {false, true}) {
      const char* unit = session_unit ? "session" : "request";
      const char* transport = tls ? "TLS" : "TCP";
      if (const PhaseFigures* a = phase_of(&agent, tls, session_unit)) {
        print_phase_split(out, "agent   ", unit, transport, *a);
      }
      if (const PhaseFigures* b = phase_of(baseline, tls, session_unit)) {
        print_phase_split(out, "baseline", unit, transport, *b);
      }
    }
  }
}

void judge_transport(Judge& judge, const Figures& agent, const Figures* baseline, bool tls,
                     const Targets& targets) {
  std::string transport = tls ? "TLS" : "TCP";
  if (const HeldFigures* a = held_of(&agent, tls)) {
    std::string held = transport + ": " + std::to_string(a->held) +
                       " sessions held at once (server saw " + std::to_string(a->server_held) +
                       "), peak RSS " + mib(pick(agent, tls).peak_rss) + " (target ≥ " +
                       std::to_string(targets.min_sessions) + " under 1 GiB)";
    if (a->attempted < targets.min_sessions) {
      judge.skip(held + ": run with --sessions " + std::to_string(targets.min_sessions));
    } else {
      judge.line(a->held >= targets.min_sessions && a->failures == 0 &&
                     pick(agent, tls).peak_rss < targets.max_peak_rss,
                 held);
    }
    if (a->failures > 0) {
      judge.line(false, transport + ": " + std::to_string(a->failures) +
                            " sessions failed to open: " + a->first_failure);
    }
    if (tls) {
      judge.line(a->held > 0 && a->rss_per_session() <= targets.max_tls_rss_per_session,
                 transport + ": " + kb(a->rss_per_session()) +
                     " resident per open session (target ≤ " + kb(targets.max_tls_rss_per_session) +
                     ")");
    }
  }
  if (const PhaseFigures* a = phase_of(&agent, tls, false)) {
    double limit = tls ? targets.max_tls_cpu_per_1000 : targets.max_tcp_cpu_per_1000;
    judge.line(a->probes > 0 && a->cpu_per_1000() <= limit,
               transport + ": request probes cost " + cpu(a->cpu_per_1000()) +
                   " CPU-s per 1000 (target ≤ " + cpu(limit) + ")");
  }
  for (bool session_unit : {false, true}) {
    const PhaseFigures* a = phase_of(&agent, tls, session_unit);
    if (a == nullptr) continue;
    std::string unit = session_unit ? "session" : "request";
    if (const PhaseFigures* b = phase_of(baseline, tls, session_unit)) {
      double r = safe_ratio(a->probes_per_s(), b->probes_per_s());
      judge.line(r >= targets.min_probes_ratio,
                 transport + ": " + unit + " probes/s " + rate(a->probes_per_s()) + " vs " +
                     rate(b->probes_per_s()) + " = " + ratio(r) + " (target ≥ " +
                     ratio(targets.min_probes_ratio) + ")");
    } else {
      judge.skip(transport + ": " + unit + " probes/s ratio (baseline not run)");
    }
    if (a->failures > 0) {
      judge.line(false, transport + ": " + std::to_string(a->failures) + " " + unit +
                            " probes failed: " + a->first_failure);
    }
  }
}

}  // namespace

int print_report(std::ostream& out, const Figures& agent, const Figures* baseline,
                 const Targets& targets) {
  print_held_table(out, agent, baseline);
  print_probe_table(out, agent, baseline, targets);
  out << "\nTargets:\n";
  Judge judge{out};
  for (bool tls : {false, true}) {
    if (pick(agent, tls).measured) judge_transport(judge, agent, baseline, tls, targets);
  }
  out << (judge.failed == 0 ? std::string("all judged targets PASS\n")
                            : std::to_string(judge.failed) + " target(s) FAIL\n");
  return judge.failed;
}

}  // namespace eo::bench
