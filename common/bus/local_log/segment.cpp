// Segment naming and the buffered segment cursor shared by recovery and by readers.
#include "common/bus/local_log/segment.h"

#include "common/bus/local_log/files.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace eo::bus::local_log {
namespace {

constexpr std::size_t kReadChunk = 256 * 1024;
constexpr std::string_view kSuffix = ".log";

bool parse_segment_name(const std::string& name, std::int64_t& base) {
  if (name.size() != 20 + kSuffix.size() || !name.ends_with(kSuffix)) return false;
  std::int64_t value = 0;
  for (std::size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    value = value * 10 + (name[i] - '0');
  }
  base = value;
  return true;
}

}  // namespace

std::string segment_path(const std::string& dir, std::int64_t base) {
  char name[32];
  std::snprintf(name, sizeof name, "%020lld.log", static_cast<long long>(base));
  return dir + "/" + name;
}

std::vector<std::int64_t> list_segments(const std::string& dir) {
  std::vector<std::int64_t> bases;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::int64_t base = 0;
    if (parse_segment_name(entry.path().filename().string(), base)) bases.push_back(base);
  }
  std::sort(bases.begin(), bases.end());
  return bases;
}

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

SegmentCursor::~SegmentCursor() { close(); }

Status SegmentCursor::open(const std::string& dir, std::int64_t base) {
  close();
  path_ = segment_path(dir, base);
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return errno_status("open segment", path_);
  base_ = base;
  next_offset_ = base;
  buffer_.clear();
  buffer_start_ = 0;
  parsed_ = 0;
  return Status::success();
}

void SegmentCursor::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::uint64_t SegmentCursor::file_size() const {
  struct stat st;
  if (fd_ < 0 || ::fstat(fd_, &st) != 0) return 0;
  return static_cast<std::uint64_t>(st.st_size);
}

bool SegmentCursor::fill(std::size_t at_least, Status& status) {
  if (parsed_ > 0 && parsed_ >= buffer_.size() / 2) {  // drop returned bytes before growing
    buffer_.erase(0, parsed_);
    buffer_start_ += parsed_;
    parsed_ = 0;
  }
  std::size_t want = std::max(kReadChunk, at_least);
  std::size_t old_size = buffer_.size();
  buffer_.resize(old_size + want);
  ssize_t n;
  do {
    n = ::pread(fd_, buffer_.data() + old_size, want, static_cast<off_t>(buffer_start_ + old_size));
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    buffer_.resize(old_size);
    status = errno_status("read segment", path_);
    return false;
  }
  buffer_.resize(old_size + static_cast<std::size_t>(n));
  return n > 0;
}

Step SegmentCursor::next(Record& out, Status& status) {
  status = Status::success();
  for (;;) {
    std::string_view view(buffer_.data() + parsed_, buffer_.size() - parsed_);
    Decoded decoded = decode_record(view, out);
    if (decoded.status == DecodeStatus::record) {
      parsed_ += decoded.frame_bytes;
      out.offset = next_offset_++;
      return Step::record;
    }
    if (decoded.status == DecodeStatus::corrupt) {
      last_frame_bytes_ = decoded.frame_bytes;
      last_reason_ = decoded.reason;
      buffer_.resize(parsed_);  // the writer may yet cut and rewrite these bytes: re-read later
      return Step::corrupt;
    }
    std::size_t missing = std::max(decoded.frame_bytes, kFrameHeaderBytes) - view.size();
    bool empty = view.empty();
    if (!fill(missing, status)) {
      buffer_.resize(parsed_);
      if (!status.ok()) return Step::corrupt;
      return empty ? Step::end : Step::partial;
    }
  }
}

}  // namespace eo::bus::local_log
