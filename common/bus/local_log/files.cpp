// POSIX file helpers. All descriptors are O_CLOEXEC so that a child process never inherits a lock.
#include "common/bus/local_log/files.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace eo::bus::local_log {
namespace {

Status write_all(int fd, const std::string& content, const std::string& path) {
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status("write", path);
    done += static_cast<std::size_t>(n);
  }
  return Status::success();
}

std::string parent_of(const std::string& path) {
  auto parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

}  // namespace

Status errno_status(const std::string& what, const std::string& path) {
  return {Code::io_error, what + " " + path + ": " + std::strerror(errno)};
}

Status make_dirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return {Code::io_error, "create directory " + path + ": " + ec.message()};
  return Status::success();
}

Status sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("open directory", dir);
  int rc = ::fsync(fd);
  Status status = rc == 0 ? Status::success() : errno_status("fsync directory", dir);
  ::close(fd);
  return status;
}

Status write_file_atomic(const std::string& path, const std::string& content) {
  std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_status("create", temp);
  Status status = write_all(fd, content, temp);
  if (status.ok() && ::fsync(fd) != 0) status = errno_status("fsync", temp);
  ::close(fd);
  if (!status.ok()) return status;
  if (::rename(temp.c_str(), path.c_str()) != 0) return errno_status("rename to", path);
  return sync_dir(parent_of(path));
}

std::optional<std::string> read_small_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string content;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
    if (content.size() > (1u << 20)) break;  // these files hold a number; never read a huge one
  }
  ::close(fd);
  return content;
}

std::optional<std::int64_t> read_offset_file(const std::string& path) {
  auto content = read_small_file(path);
  if (!content) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(content->data(), content->data() + content->size(), value);
  if (ec != std::errc() || value < 0) return std::nullopt;
  return value;
}

Status write_offset_file(const std::string& path, std::int64_t offset) {
  return write_file_atomic(path, std::to_string(offset) + "\n");
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() { release(); }

void FileLock::release() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor of the open file drops the flock
  fd_ = -1;
}

Status FileLock::try_acquire(const std::string& path, FileLock& out) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errno_status("open lock file", path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err != EWOULDBLOCK) {
      errno = err;
      return errno_status("flock", path);
    }
    std::string holder = read_small_file(path).value_or("");
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
    return {Code::unavailable,
            path + " is held by another owner (pid " + (holder.empty() ? "?" : holder) + ")"};
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    // Best effort: the pid only improves error messages.
    [[maybe_unused]] ssize_t n = ::pwrite(fd, pid.data(), pid.size(), 0);
  }
  out.release();
  out.fd_ = fd;
  return Status::success();
}

}  // namespace eo::bus::local_log
