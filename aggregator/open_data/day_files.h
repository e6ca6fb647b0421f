// The daily files: one per UTC day and kind, DIR/<kind>-YYYY-MM-DD.jsonl, each replaced whole by
// an atomic rename after fsync, so a reader (or a crash) sees the old file or the new one.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace eo::aggregator::open_data {

inline constexpr std::int64_t kDayUs = 86'400'000'000;

std::int64_t day_start_us(std::int64_t us);  // 00:00 UTC of the day holding us
std::string utc_day(std::int64_t us);        // "YYYY-MM-DD"
std::string day_file(const std::string& dir, const std::string& kind, const std::string& day);

// Calls visit with each line of an existing file (without its newline); false if there is none.
bool read_lines(const std::string& path, const std::function<void(const std::string&)>& visit);

// A file written under a temporary name and renamed over `path` by commit(); dropped (and the old
// file left) when destroyed uncommitted. Throws std::runtime_error naming the path on I/O errors.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void line(const std::string& text);
  std::uint64_t lines() const { return lines_; }
  void commit();  // fsync, rename, fsync the directory

 private:
  std::string path_, temp_;
  std::FILE* file_ = nullptr;
  std::uint64_t lines_ = 0;
};

}  // namespace eo::aggregator::open_data
