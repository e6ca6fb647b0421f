// Names of the bus status codes, and the record checks shared by every Producer.
#include "common/bus/bus.h"

#include "common/bus/names.h"

namespace eo::bus {

std::string_view to_string(Code code) {
  switch (code) {
    case Code::ok:
      return "ok";
    case Code::invalid_argument:
      return "invalid_argument";
    case Code::too_large:
      return "too_large";
    case Code::unavailable:
      return "unavailable";
    case Code::io_error:
      return "io_error";
    case Code::corrupt:
      return "corrupt";
    case Code::timeout:
      return "timeout";
    case Code::fatal:
      return "fatal";
  }
  return "unknown";
}

Status check_record(std::string_view topic, std::string_view key, std::string_view value) {
  if (!valid_name(topic)) {
    return {Code::invalid_argument, "invalid topic name '" + std::string(topic) + "'"};
  }
  if (key.size() + value.size() > kMaxMessageBytes) {
    return {Code::too_large, "message of " + std::to_string(key.size() + value.size()) +
                                 " bytes exceeds " + std::to_string(kMaxMessageBytes)};
  }
  return Status::success();
}

}  // namespace eo::bus
