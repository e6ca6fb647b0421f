// `--kafka-property KEY=VALUE`, shared by every command that can talk to Kafka: what a real
// cluster needs beyond its brokers (security.protocol, sasl.*, ssl.*, session.timeout.ms ...).
#pragma once

#include <CLI/CLI.hpp>

#include <map>
#include <string>

namespace eo::cli {

// Adds the repeatable option to `cmd`; each KEY=VALUE lands in `into` (the bus applies them
// after its own settings and refuses those its delivery guarantees depend on). `into` must
// outlive the parse.
CLI::Option* add_kafka_property_option(CLI::App* cmd, std::map<std::string, std::string>& into);

}  // namespace eo::cli
