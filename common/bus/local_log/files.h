// Small POSIX file helpers for the log: errors as Status values, atomic replacement of small
// files (write temp + fsync + rename + fsync dir), an exclusive advisory lock on a file.
#pragma once

#include "common/bus/bus.h"

#include <cstdint>
#include <optional>
#include <string>

namespace eo::bus::local_log {

// "<what> <path>: <strerror(errno)>" as an io_error.
Status errno_status(const std::string& what, const std::string& path);

// mkdir -p.
Status make_dirs(const std::string& path);

// fsync of a directory, so that a create, rename or unlink in it is durable.
Status sync_dir(const std::string& dir);

// Replaces `path` with `content` atomically: readers see the old or the new file, never a mix,
// also after a machine crash.
Status write_file_atomic(const std::string& path, const std::string& content);

// The whole content of a small file; nullopt when it does not exist.
std::optional<std::string> read_small_file(const std::string& path);

// A decimal offset stored with write_file_atomic; nullopt when missing or unreadable.
std::optional<std::int64_t> read_offset_file(const std::string& path);
Status write_offset_file(const std::string& path, std::int64_t offset);

// An exclusive flock(2) on a file, held until destruction. flock belongs to the open file, so it
// also excludes a second holder inside the same process, and the kernel drops it when the
// holder dies, even by SIGKILL. The holder's pid is written into the file for error messages.
class FileLock {
 public:
  FileLock() = default;
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  // Non-blocking. unavailable (naming the holder's pid) when another holder has it.
  static Status try_acquire(const std::string& path, FileLock& out);

  bool held() const { return fd_ >= 0; }
  void release();

 private:
  int fd_ = -1;
};

}  // namespace eo::bus::local_log
