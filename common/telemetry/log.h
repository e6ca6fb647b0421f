// Structured logging: one JSON object per line on stderr (or readable text for a terminal).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace eo::telemetry {

enum class LogLevel { debug, info, warn, error };
enum class LogFormat { json, text };

struct LogOptions {
  LogFormat format = LogFormat::json;
  LogLevel level = LogLevel::info;
  std::string component = "observatory";  // the role, e.g. "agent"
};

// Configures the process-wide logger; safe to call again (the last call wins).
void init_logging(const LogOptions& options);

// Parses "debug|info|warn|error" / "json|text"; nullopt-like false return on a bad name.
bool parse_log_level(std::string_view name, LogLevel& level);
bool parse_log_format(std::string_view name, LogFormat& format);

// Emits {"ts":..., "level":..., "component":..., "msg":..., <fields>}.
void log(LogLevel level, std::string_view message, const nlohmann::json& fields = {});

// Formats one line without emitting it (used by log(), exposed for tests).
std::string format_line(LogFormat format, LogLevel level, std::string_view component,
                        std::string_view message, const nlohmann::json& fields);

}  // namespace eo::telemetry
