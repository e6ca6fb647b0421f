# Agent machines on Hetzner Cloud: one server per agent in its location, each started by
# cloud-init (modules/agent-cloud-init), all behind one firewall that lets the agent out and only
# the monitoring address in (to /metrics).

locals {
  labels = merge(var.labels, { "app.kubernetes.io/part-of" = "electrum-observatory", component = "agent" })

  # "in" rules: metrics from the monitoring addresses, SSH only when asked for.
  ingress = concat(
    [{ protocol = "tcp", port = tostring(var.metrics_port), cidrs = var.monitoring_cidrs, description = "metrics from monitoring" }],
    length(var.ssh_cidrs) > 0 ? [{ protocol = "tcp", port = "22", cidrs = var.ssh_cidrs, description = "ssh from admins" }] : [],
  )
  # "out" rules: with at least one, Hetzner drops every other outbound packet.
  any_address = ["0.0.0.0/0", "::/0"]
  egress = concat(
    [for p in var.egress_tcp_ports : { protocol = "tcp", port = p, description = "agent: Electrum servers, Tor, coordinator, Kafka, image registry" }],
    [
      { protocol = "udp", port = "53", description = "DNS" },
      { protocol = "udp", port = "123", description = "NTP" },
      { protocol = "icmp", port = null, description = "ICMP (path MTU discovery)" },
    ],
  )
}

module "cloud_init" {
  source   = "../agent-cloud-init"
  for_each = var.agents

  agent_id       = each.key
  provider_label = "hetzner"
  region         = each.value.region
  tor            = each.value.tor
  coordinator    = var.coordinator
  tls_ca_pem     = var.tls_ca_pem
  # A missing entry fails the server's precondition below, with the agent named.
  tls_cert_pem       = try(var.agent_tls[each.key].cert_pem, "-----BEGIN CERTIFICATE-----(missing)")
  tls_key_pem        = try(var.agent_tls[each.key].key_pem, "-----BEGIN PRIVATE KEY-----(missing)")
  image              = var.image
  registry_auth_json = var.registry_auth_json
  politeness         = var.politeness
  concurrency        = var.concurrency
  metrics_port       = var.metrics_port
  kafka_brokers      = var.kafka_brokers
  kafka_properties   = var.kafka_properties
}

resource "hcloud_firewall" "agents" {
  name   = "${var.name_prefix}-agents"
  labels = local.labels

  dynamic "rule" {
    for_each = local.ingress
    content {
      direction   = "in"
      protocol    = rule.value.protocol
      port        = rule.value.port
      source_ips  = rule.value.cidrs
      description = rule.value.description
    }
  }

  dynamic "rule" {
    for_each = local.egress
    content {
      direction       = "out"
      protocol        = rule.value.protocol
      port            = rule.value.port
      destination_ips = local.any_address
      description     = rule.value.description
    }
  }
}

resource "hcloud_server" "agent" {
  for_each = var.agents

  name        = "${var.name_prefix}-${each.key}"
  location    = each.value.location
  server_type = coalesce(each.value.server_type, var.server_type)
  image       = var.os_image
  ssh_keys    = var.ssh_key_ids
  user_data   = module.cloud_init[each.key].user_data
  # Attached before the first boot (unlike hcloud_firewall_attachment).
  firewall_ids = [hcloud_firewall.agents.id]
  labels = merge(local.labels, {
    agent_id = each.key
    region   = each.value.region
    tor      = tostring(each.value.tor)
  })

  public_net {
    ipv4_enabled = true
    ipv6_enabled = true
  }

  lifecycle {
    precondition {
      condition     = nonsensitive(contains(keys(var.agent_tls), each.key))
      error_message = "agent_tls has no certificate and key for agent ${each.key}."
    }
  }
}
