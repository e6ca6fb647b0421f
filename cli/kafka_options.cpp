#include "cli/kafka_options.h"

namespace eo::cli {

CLI::Option* add_kafka_property_option(CLI::App* cmd, std::map<std::string, std::string>& into) {
  return cmd
      ->add_option_function<std::vector<std::string>>(
          "--kafka-property",
          [&into](const std::vector<std::string>& all) {
            for (const auto& pair : all) {
              auto eq = pair.find('=');
              into[pair.substr(0, eq)] = pair.substr(eq + 1);
            }
          },
          "A librdkafka property KEY=VALUE for the Kafka client (repeatable), e.g. "
          "security.protocol=SASL_SSL; with --kafka only")
      ->check(
          [](const std::string& pair) {
            auto eq = pair.find('=');
            return eq == std::string::npos || eq == 0
                       ? "--kafka-property '" + pair + "': expected KEY=VALUE"
                       : std::string();
          },
          "KEY=VALUE");
}

}  // namespace eo::cli
