// Which librdkafka errors mean "the brokers refuse this client's settings" (credentials, TLS
// trust) rather than "a broker is away", and the message that names the setting to fix.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>
#include <string_view>

namespace eo::bus::kafka {

// "" for errors librdkafka recovers from by itself (transport, a broker restarting); otherwise a
// message that starts with the property to fix, e.g. "sasl.username/sasl.password: ...".
std::string explain_client_error(rd_kafka_resp_err_t err, std::string_view reason);

}  // namespace eo::bus::kafka
