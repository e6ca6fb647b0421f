// CRC-32C (Castagnoli), the checksum of every log record (same polynomial as Kafka, ext4, iSCSI).
#pragma once

#include <cstdint>
#include <string_view>

namespace eo::bus::local_log {

// crc32c("123456789") == 0xE3069283. `crc` continues a previous value (0 to start).
std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc = 0);

}  // namespace eo::bus::local_log
