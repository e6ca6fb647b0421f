// Tail-tolerant log reader. The writer creates segment N+1 (named by its base offset) only after
// segment N is complete and synced, so "<position>.log" existing means the current one is done.
#include "common/bus/local_log/log_reader.h"

namespace eo::bus::local_log {

LogReader::LogReader(std::string dir) : dir_(std::move(dir)) {}

Status LogReader::seek(std::int64_t offset) {
  cursor_.close();
  std::vector<std::int64_t> segments = list_segments(dir_);
  if (segments.empty()) {
    position_ = 0;  // nothing written yet; read() opens segment 0 once it appears
    return Status::success();
  }
  std::size_t index = 0;
  while (index + 1 < segments.size() && segments[index + 1] <= offset) ++index;
  if (Status s = cursor_.open(dir_, segments[index]); !s.ok()) return s;
  position_ = segments[index];
  Record skipped;
  while (position_ < offset) {
    Status status;
    Step step = cursor_.next(skipped, status);
    if (!status.ok()) return status;
    if (step == Step::record) {
      ++position_;
      continue;
    }
    if (step == Step::end) break;  // the log is shorter than `offset`: clamp to its end
    if (Status s = judge_bad_frame(step); !s.ok()) return s;
    break;
  }
  return Status::success();
}

Status LogReader::read(std::size_t max, std::vector<Record>& out) {
  std::size_t wanted = out.size() + max;
  while (out.size() < wanted) {
    if (!cursor_.is_open()) {
      if (!file_exists(segment_path(dir_, position_))) return Status::success();
      if (Status s = cursor_.open(dir_, position_); !s.ok()) return s;
    }
    Record record;
    Status status;
    Step step = cursor_.next(record, status);
    if (!status.ok()) return status;
    if (step == Step::record) {
      ++position_;
      out.push_back(std::move(record));
      continue;
    }
    if (step == Step::end) {
      if (advance_segment(status)) continue;
      return status;
    }
    return judge_bad_frame(step);
  }
  return Status::success();
}

bool LogReader::advance_segment(Status& status) {
  if (!file_exists(segment_path(dir_, position_))) return false;
  status = cursor_.open(dir_, position_);
  return status.ok();
}

Status LogReader::judge_bad_frame(Step step) {
  std::vector<std::int64_t> segments = list_segments(dir_);
  bool last_segment = segments.empty() || segments.back() <= cursor_.base();
  bool nothing_after = cursor_.last_frame_bytes() == 0 ||
                       cursor_.position() + cursor_.last_frame_bytes() >= cursor_.file_size();
  if (last_segment && (step == Step::partial || nothing_after)) {
    return Status::success();  // a tail being written, or torn and awaiting the writer's recovery
  }
  return {Code::corrupt, cursor_.path() + " at byte " + std::to_string(cursor_.position()) +
                             " (offset " + std::to_string(position_) + "): " +
                             (step == Step::partial ? "partial record in a sealed segment"
                                                    : cursor_.last_reason())};
}

}  // namespace eo::bus::local_log
