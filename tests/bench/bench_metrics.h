// Process-level measurements for the benchmark: CPU time from getrusage, resident memory from
// /proc/self/status, and the open-file limit raised to its hard maximum.
#pragma once

#include <cstddef>

namespace eo::bench {

// User and system CPU seconds this process has used so far (getrusage RUSAGE_SELF).
struct CpuTimes {
  double user_s = 0;
  double sys_s = 0;

  double total_s() const { return user_s + sys_s; }
};

CpuTimes cpu_now();
// User + system CPU seconds another process has used (from /proc/<pid>/stat); -1 if unreadable.
double process_cpu_seconds(int pid);
CpuTimes operator-(const CpuTimes& a, const CpuTimes& b);

// VmRSS and VmHWM of this process in bytes (0 when /proc is unavailable).
std::size_t rss_bytes();
std::size_t peak_rss_bytes();
// Bytes the C heap has handed out and not taken back (mallinfo2: arena + mmap'd chunks in use).
std::size_t heap_in_use_bytes();
// Resets VmHWM to the current RSS (writes "5" to /proc/self/clear_refs); false if not allowed.
bool reset_peak_rss();
// Returns freed heap pages to the OS, so an RSS delta measured next counts only new memory.
void trim_heap();

// Sets RLIMIT_NOFILE's soft limit to its hard limit and returns the soft limit now in force.
long raise_nofile_limit();

}  // namespace eo::bench
