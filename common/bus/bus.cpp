// Names of the bus status codes (for logs and error messages).
#include "common/bus/bus.h"

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

}  // namespace eo::bus
