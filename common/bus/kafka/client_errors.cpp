// librdkafka retries a refused login or an untrusted certificate forever, like a broker that is
// away, and its own log says only what failed. A user of --kafka-property needs the property.
#include "common/bus/kafka/client_errors.h"

namespace eo::bus::kafka {

std::string explain_client_error(rd_kafka_resp_err_t err, std::string_view reason) {
  std::string why(reason);
  switch (err) {
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
      return "sasl.username/sasl.password (sasl.mechanism, security.protocol): the brokers "
             "refuse this client's credentials: " +
             why;
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
      return "sasl.username: the brokers' ACLs do not allow this user: " + why;
    case RD_KAFKA_RESP_ERR__SSL:
      // Other TLS failures (a handshake cut by a restarting broker) are transient.
      if (why.find("certificate verify failed") != std::string::npos) {
        return "ssl.ca.location: the brokers' certificate is not trusted (or does not name the "
               "host in bootstrap.servers): " +
               why;
      }
      return "";
    default:
      return "";
  }
}

}  // namespace eo::bus::kafka
