// The log appender. Each write(2) carries whole frames (one record, or a batch's records), so
// readers in other processes see whole frames or a short tail (which they wait on); fsync is
// batched (see options.h).
#include "common/bus/local_log/log_writer.h"

#include "common/bus/local_log/record.h"
#include "common/bus/local_log/segment.h"

#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

namespace eo::bus::local_log {
namespace {

// Copies bytes [from, from + size) of `path` into "<path>.cut-<from>" (best effort).
std::string save_cut(const std::string& path, std::uint64_t from, std::uint64_t size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string cut(size, '\0');
  ssize_t n = ::pread(fd, cut.data(), cut.size(), static_cast<off_t>(from));
  ::close(fd);
  if (n < 0) return "";
  cut.resize(static_cast<std::size_t>(n));
  std::string saved = path + ".cut-" + std::to_string(from);
  return write_file_atomic(saved, cut).ok() ? saved : "";
}

}  // namespace

LogWriter::LogWriter(std::string dir, const LocalLogOptions& options)
    : dir_(std::move(dir)), options_(options) {}

LogWriter::~LogWriter() {
  std::lock_guard lock(mutex_);
  if (fd_ >= 0) {
    (void)sync_locked();  // a failure here only widens the unsynced window; nobody to tell
    ::close(fd_);
  }
}

Status LogWriter::open(const std::string& dir, const LocalLogOptions& options,
                       std::unique_ptr<LogWriter>& out) {
  if (Status s = make_dirs(dir); !s.ok()) return s;
  std::unique_ptr<LogWriter> writer(new LogWriter(dir, options));
  if (Status s = FileLock::try_acquire(dir + "/writer.lock", writer->lock_); !s.ok()) {
    s.detail = "log " + dir + " already has a writer: " + s.detail;
    return s;
  }
  if (Status s = writer->recover(); !s.ok()) return s;
  out = std::move(writer);
  return Status::success();
}

Status LogWriter::recover() {
  segments_ = list_segments(dir_);
  if (segments_.empty()) {
    segments_.push_back(0);
    next_offset_ = 0;
    active_bytes_ = 0;
    return open_active(true);
  }
  // Only the last segment can have a torn tail: a segment is fsynced before the next is created.
  SegmentCursor cursor;
  if (Status s = cursor.open(dir_, segments_.back()); !s.ok()) return s;
  Record record;
  Status status;
  Step step;
  while ((step = cursor.next(record, status)) == Step::record) {
  }
  if (!status.ok()) return status;
  std::uint64_t valid_end = cursor.position();
  std::uint64_t size = cursor.file_size();
  next_offset_ = cursor.next_offset();
  if (step != Step::end && size > valid_end) {
    // A torn tail is expected after a crash; a bad record followed by more data is not, so the
    // cut bytes are kept beside the segment for inspection (they are few, and never replayed).
    recovery_.truncated_bytes = size - valid_end;
    recovery_.reason = step == Step::partial ? "partial record" : cursor.last_reason();
    recovery_.saved_to = save_cut(cursor.path(), valid_end, size - valid_end);
    if (::truncate(cursor.path().c_str(), static_cast<off_t>(valid_end)) != 0) {
      return errno_status("truncate the torn tail of", cursor.path());
    }
  }
  cursor.close();
  active_bytes_ = valid_end;
  // The truncation needs no fsync of its own: repeated after a machine crash it cuts the same
  // bytes, and the next fdatasync of an append makes the new size durable anyway.
  return open_active(false);
}

Status LogWriter::open_active(bool create) {
  std::string path = segment_path(dir_, segments_.back());
  int flags = O_WRONLY | O_APPEND | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0);
  fd_ = ::open(path.c_str(), flags, 0644);
  if (fd_ < 0) return errno_status("open segment", path);
  if (create) return sync_dir(dir_);
  return Status::success();
}

Status LogWriter::roll() {
  if (Status s = sync_locked(); !s.ok()) return s;
  ::close(fd_);
  fd_ = -1;
  segments_.push_back(next_offset_);
  active_bytes_ = 0;
  return open_active(true);
}

namespace {

bool too_large_for_log(std::string_view key, std::string_view value) {
  return key.size() + value.size() > kMaxPayloadBytes - kPayloadFixedBytes;
}

Status too_large_status(std::string_view key, std::string_view value) {
  return {Code::too_large, "record of " + std::to_string(key.size() + value.size()) +
                               " bytes exceeds the log's limit"};
}

}  // namespace

Status LogWriter::append(std::string_view key, std::string_view value, std::int64_t timestamp_us,
                         std::int64_t* offset) {
  if (too_large_for_log(key, value)) return too_large_status(key, value);
  std::lock_guard lock(mutex_);
  if (fd_ < 0) return {Code::io_error, "log " + dir_ + " has no open segment"};
  frame_.clear();
  encode_record(key, value, timestamp_us, frame_);
  if (active_bytes_ > 0 && active_bytes_ + frame_.size() > options_.segment_bytes) {
    if (Status s = roll(); !s.ok()) return s;
  }
  const std::int64_t written_at = next_offset_;
  if (Status s = write_frames_locked(1); !s.ok()) return s;
  if (offset) *offset = written_at;
  if (unsynced_records_ >= options_.sync_every_records) return sync_locked();
  return Status::success();
}

Status LogWriter::append_batch(std::span<const OutgoingRecord> records, std::int64_t timestamp_us,
                               std::size_t& appended) {
  appended = 0;
  std::lock_guard lock(mutex_);
  if (fd_ < 0) return {Code::io_error, "log " + dir_ + " has no open segment"};
  std::size_t next = 0;
  while (next < records.size()) {
    // Frames that fit in the active segment go out with one write; the rest after a roll.
    frame_.clear();
    const std::size_t first = next;
    Status refused;
    for (; next < records.size(); ++next) {
      const auto& r = records[next];
      if (too_large_for_log(r.key, r.value)) {
        refused = too_large_status(r.key, r.value);
        break;
      }
      const std::uint64_t size =
          kFrameHeaderBytes + kPayloadFixedBytes + r.key.size() + r.value.size();
      const std::uint64_t at = active_bytes_ + frame_.size();
      if (at > 0 && at + size > options_.segment_bytes) {
        if (!frame_.empty()) break;  // write what fits, then roll
        if (Status s = roll(); !s.ok()) return s;
      }
      encode_record(r.key, r.value, timestamp_us, frame_);
    }
    if (next > first) {
      if (Status s = write_frames_locked(next - first); !s.ok()) return s;
      // A failed fsync reports the chunk as not appended (it is written: a retry duplicates it,
      // as after a failed append()).
      if (unsynced_records_ >= options_.sync_every_records) {
        if (Status s = sync_locked(); !s.ok()) return s;
      }
      appended = next;
    }
    if (!refused.ok()) return refused;
  }
  return Status::success();
}

Status LogWriter::write_frames_locked(std::size_t records) {
  std::size_t done = 0;
  while (done < frame_.size()) {
    ssize_t n = ::write(fd_, frame_.data() + done, frame_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status failed = errno_status("append to", segment_path(dir_, segments_.back()));
      // Cut the partial frames so the next append starts on a record boundary.
      if (done > 0) (void)::ftruncate(fd_, static_cast<off_t>(active_bytes_));
      return failed;
    }
    done += static_cast<std::size_t>(n);
  }
  active_bytes_ += frame_.size();
  next_offset_ += static_cast<std::int64_t>(records);
  if (unsynced_records_ == 0) first_unsynced_ = std::chrono::steady_clock::now();
  unsynced_records_ += static_cast<std::uint32_t>(records);
  return Status::success();
}

Status LogWriter::sync_locked() {
  if (unsynced_records_ == 0 || fd_ < 0) return Status::success();
  if (::fdatasync(fd_) != 0) return errno_status("fdatasync", segment_path(dir_, segments_.back()));
  unsynced_records_ = 0;
  return Status::success();
}

Status LogWriter::sync() {
  std::lock_guard lock(mutex_);
  return sync_locked();
}

Status LogWriter::sync_if_due() {
  std::lock_guard lock(mutex_);
  if (unsynced_records_ == 0) return Status::success();
  if (std::chrono::steady_clock::now() - first_unsynced_ < options_.sync_interval) {
    return Status::success();
  }
  return sync_locked();
}

std::int64_t LogWriter::next_offset() const {
  std::lock_guard lock(mutex_);
  return next_offset_;
}

std::int64_t LogWriter::start_offset() const {
  std::lock_guard lock(mutex_);
  return segments_.front();
}

Status LogWriter::remove_segments_below(std::int64_t offset) {
  std::lock_guard lock(mutex_);
  std::size_t removed = 0;
  while (removed + 1 < segments_.size() && segments_[removed + 1] <= offset) {
    std::string path = segment_path(dir_, segments_[removed]);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_status("remove", path);
    ++removed;
  }
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(removed));
  return removed > 0 ? sync_dir(dir_) : Status::success();
}

}  // namespace eo::bus::local_log
