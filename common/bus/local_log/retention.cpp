// Retention by age: a sequential scan of each old segment for its newest timestamp, then unlink.
#include "common/bus/local_log/retention.h"

#include "common/bus/local_log/files.h"
#include "common/bus/local_log/segment.h"

#include <algorithm>

#include <sys/stat.h>
#include <unistd.h>

namespace eo::bus::local_log {
namespace {

// True when every record of the sealed segment is older than the cutoff. A segment that cannot
// be read to its end is kept (and reported): retention must never hide a damaged log.
bool all_older(const std::string& dir, std::int64_t base, std::int64_t cutoff_us, Status& status) {
  SegmentCursor cursor;
  status = cursor.open(dir, base);
  if (!status.ok()) return false;
  Record record;
  for (;;) {
    const Step step = cursor.next(record, status);
    if (!status.ok()) return false;
    if (step == Step::end) return true;
    if (step != Step::record) {
      status = {Code::corrupt, cursor.path() + " at byte " + std::to_string(cursor.position()) +
                                   ": unreadable record; segment kept"};
      return false;
    }
    if (record.timestamp_us >= cutoff_us) return false;
  }
}

}  // namespace

RetentionResult delete_segments_older_than(const std::string& topic_dir,
                                           std::int64_t cutoff_unix_us) {
  RetentionResult result;
  const std::vector<std::int64_t> segments = list_segments(topic_dir);
  std::size_t i = 0;
  for (; i + 1 < segments.size(); ++i) {
    if (!all_older(topic_dir, segments[i], cutoff_unix_us, result.status)) break;
    const std::string path = segment_path(topic_dir, segments[i]);
    struct stat st;
    const std::uint64_t size = ::stat(path.c_str(), &st) == 0 ? st.st_size : 0;
    if (::unlink(path.c_str()) != 0) {
      result.status = errno_status("delete segment", path);
      break;
    }
    ++result.deleted_segments;
    result.deleted_bytes += size;
  }
  if (i < segments.size()) result.first_offset = segments[i];
  if (result.deleted_segments > 0) {
    if (Status s = sync_dir(topic_dir); !s.ok() && result.status.ok()) result.status = s;
  }
  return result;
}

}  // namespace eo::bus::local_log
