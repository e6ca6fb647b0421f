#include "aggregator/open_data/day_files.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace eo::aggregator::open_data {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

void sync_directory(const std::string& path) {
  const auto dir = std::filesystem::path(path).parent_path();
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) fail("cannot open the directory of", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail("cannot fsync the directory of", path);
}

}  // namespace

std::int64_t day_start_us(std::int64_t us) {
  auto r = us % kDayUs;
  return us - (r < 0 ? r + kDayUs : r);
}

std::string utc_day(std::int64_t us) {
  std::time_t seconds = static_cast<std::time_t>(day_start_us(us) / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
  return text;
}

std::string day_file(const std::string& dir, const std::string& kind, const std::string& day) {
  return (std::filesystem::path(dir) / (kind + "-" + day + ".jsonl")).string();
}

bool read_lines(const std::string& path, const std::function<void(const std::string&)>& visit) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) visit(line);
  }
  if (in.bad()) fail("cannot read", path);
  return true;
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), temp_(path_ + ".partial") {
  file_ = std::fopen(temp_.c_str(), "w");
  if (!file_) fail("cannot write", temp_);
}

AtomicFile::~AtomicFile() {
  if (!file_) return;
  std::fclose(file_);
  std::remove(temp_.c_str());
}

void AtomicFile::line(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size() ||
      std::fputc('\n', file_) == EOF) {
    fail("cannot write", temp_);
  }
  ++lines_;
}

void AtomicFile::commit() {
  if (std::fflush(file_) != 0 || ::fsync(fileno(file_)) != 0) fail("cannot write", temp_);
  std::fclose(file_);
  file_ = nullptr;
  if (std::rename(temp_.c_str(), path_.c_str()) != 0) fail("cannot rename to", path_);
  sync_directory(path_);
}

}  // namespace eo::aggregator::open_data
