// JSON-lines logging over spdlog's thread-safe stderr sink.
#include "common/telemetry/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <mutex>

namespace eo::telemetry {

namespace {

struct State {
  std::mutex mutex;
  LogOptions options;
  std::shared_ptr<spdlog::logger> logger;
};

State& state() {
  static State s;
  return s;
}

std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
  }
  return "info";
}

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return spdlog::level::debug;
    case LogLevel::info:
      return spdlog::level::info;
    case LogLevel::warn:
      return spdlog::level::warn;
    case LogLevel::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::string utc_timestamp() {
  auto now = std::chrono::system_clock::now();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch());
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buffer + n, sizeof buffer - n, ".%06lldZ",
                static_cast<long long>(micros.count() % 1'000'000));
  return buffer;
}

}  // namespace

bool parse_log_level(std::string_view name, LogLevel& level) {
  for (LogLevel l : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error}) {
    if (name == level_name(l)) {
      level = l;
      return true;
    }
  }
  return false;
}

bool parse_log_format(std::string_view name, LogFormat& format) {
  if (name == "json")
    format = LogFormat::json;
  else if (name == "text")
    format = LogFormat::text;
  else
    return false;
  return true;
}

void init_logging(const LogOptions& options) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.options = options;
  if (!s.logger) {
    s.logger =
        std::make_shared<spdlog::logger>("eo", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    s.logger->set_pattern("%v");
  }
  s.logger->set_level(to_spdlog(options.level));
}

std::string format_line(LogFormat format, LogLevel level, std::string_view component,
                        std::string_view message, const nlohmann::json& fields) {
  if (format == LogFormat::text) {
    std::string line = utc_timestamp() + " " + std::string(level_name(level)) + " " +
                       std::string(component) + ": " + std::string(message);
    if (fields.is_object()) {
      for (const auto& [key, value] : fields.items()) {
        line += " " + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
      }
    }
    return line;
  }
  nlohmann::json line = {{"ts", utc_timestamp()},
                         {"level", level_name(level)},
                         {"component", component},
                         {"msg", message}};
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) line[key] = value;
  }
  // Peer-supplied strings may hold invalid UTF-8: replace it rather than throw.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void log(LogLevel level, std::string_view message, const nlohmann::json& fields) {
  State& s = state();
  std::shared_ptr<spdlog::logger> logger;
  LogOptions options;
  {
    std::lock_guard lock(s.mutex);
    if (!s.logger) {
      s.logger =
          std::make_shared<spdlog::logger>("eo", std::make_shared<spdlog::sinks::stderr_sink_mt>());
      s.logger->set_pattern("%v");
    }
    logger = s.logger;
    options = s.options;
  }
  if (!logger->should_log(to_spdlog(level))) return;
  logger->log(to_spdlog(level), "{}",
              format_line(options.format, level, options.component, message, fields));
}

}  // namespace eo::telemetry
