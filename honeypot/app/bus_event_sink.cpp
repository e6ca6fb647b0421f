// BusEventSink: serialize and publish.
#include "honeypot/app/bus_event_sink.h"

#include "common/bus/topics.h"
#include "common/telemetry/log.h"

namespace eo::honeypot::app {

void BusEventSink::record(eo::v1::HoneypotEvent event) {
  event.SerializeToString(&buffer_);
  bus::Status status = producer_.publish(bus::topics::kHoneypotEvents, event.session_id(), buffer_);
  if (status.ok()) {
    ++recorded_;
    return;
  }
  if (refused_++ % 1000 == 0) {
    telemetry::log(telemetry::LogLevel::error, "honeypot event refused by the bus",
                   {{"code", bus::to_string(status.code)}, {"detail", status.detail},
                    {"refused_so_far", refused_.load()}});
  }
}

}  // namespace eo::honeypot::app
