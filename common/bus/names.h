// Which topic and group names the bus accepts: Kafka's legal names, which are also safe as
// directory and file names for the embedded log.
#pragma once

#include <string_view>

namespace eo::bus {

// 1..249 characters of [A-Za-z0-9._-], and not "." or "..".
bool valid_name(std::string_view name);

}  // namespace eo::bus
