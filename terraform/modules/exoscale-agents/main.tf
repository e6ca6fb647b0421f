# Agent machines on Exoscale: one compute instance per agent in its zone, each started by
# cloud-init (modules/agent-cloud-init), all in one security group that lets the agent out and
# only the monitoring address in (to /metrics). Exoscale lets every packet out of a security group
# until it has an egress rule; with the rules below, only those pass.

locals {
  labels = merge(var.labels, { "app.kubernetes.io/part-of" = "electrum-observatory", component = "agent" })

  any_address = ["0.0.0.0/0", "::/0"]
  port_range  = { for p in var.egress_tcp_ports : p => { start = tonumber(split("-", p)[0]), end = tonumber(reverse(split("-", p))[0]) } }

  # One rule per (direction, protocol, ports, address): the API takes one CIDR per rule.
  agent_egress = "agent: Electrum servers, Tor, coordinator, Kafka, image registry"
  rule_list = concat(
    [for c in var.monitoring_cidrs : ["in-metrics-${c}", "INGRESS", "TCP", c, var.metrics_port, var.metrics_port, "metrics from monitoring"]],
    [for c in var.ssh_cidrs : ["in-ssh-${c}", "INGRESS", "TCP", c, 22, 22, "ssh from admins"]],
    concat([for p, r in local.port_range : [for a in local.any_address : ["out-tcp-${p}-${a}", "EGRESS", "TCP", a, r.start, r.end, local.agent_egress]]]...),
    [for a in local.any_address : ["out-dns-${a}", "EGRESS", "UDP", a, 53, 53, "DNS"]],
    [for a in local.any_address : ["out-ntp-${a}", "EGRESS", "UDP", a, 123, 123, "NTP"]],
    [["out-icmp", "EGRESS", "ICMP", "0.0.0.0/0", null, null, "ICMP (path MTU discovery)"]],
    [["out-icmpv6", "EGRESS", "ICMPv6", "::/0", null, null, "ICMPv6 (path MTU discovery, neighbours)"]],
  )
  rules = { for r in local.rule_list : r[0] => {
    type        = r[1]
    protocol    = r[2]
    cidr        = r[3]
    start       = r[4]
    end         = r[5]
    icmp        = startswith(r[2], "ICMP")
    description = r[6]
  } }

  zones_to_look_up = toset([for a in var.agents : a.zone if !contains(keys(var.template_ids), a.zone)])
  template_ids     = merge({ for z, t in data.exoscale_template.os : z => t.id }, var.template_ids)
}

data "exoscale_template" "os" {
  for_each = local.zones_to_look_up
  zone     = each.key
  name     = var.template_name
}

module "cloud_init" {
  source   = "../agent-cloud-init"
  for_each = var.agents

  agent_id       = each.key
  provider_label = "exoscale"
  region         = each.value.region
  tor            = each.value.tor
  coordinator    = var.coordinator
  tls_ca_pem     = var.tls_ca_pem
  # A missing entry fails the instance's precondition below, with the agent named.
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

resource "exoscale_security_group" "agents" {
  name        = "${var.name_prefix}-agents"
  description = "Electrum Observatory agents: out to probe, metrics in from monitoring"
}

resource "exoscale_security_group_rule" "agents" {
  for_each = local.rules

  security_group_id = exoscale_security_group.agents.id
  type              = each.value.type
  protocol          = each.value.protocol
  cidr              = each.value.cidr
  start_port        = each.value.start
  end_port          = each.value.end
  icmp_type         = each.value.icmp ? -1 : null
  icmp_code         = each.value.icmp ? -1 : null
  description       = each.value.description
}

resource "exoscale_compute_instance" "agent" {
  for_each = var.agents

  name               = "${var.name_prefix}-${each.key}"
  zone               = each.value.zone
  type               = coalesce(each.value.instance_type, var.instance_type)
  template_id        = local.template_ids[each.value.zone]
  disk_size          = var.disk_size
  ipv6               = true
  ssh_keys           = length(var.ssh_key_names) > 0 ? var.ssh_key_names : null
  user_data          = module.cloud_init[each.key].user_data
  security_group_ids = [exoscale_security_group.agents.id]
  labels = merge(local.labels, {
    agent_id = each.key
    region   = each.value.region
    tor      = tostring(each.value.tor)
  })

  # The rules exist before the machine boots, so its agent never runs with the group half-made.
  depends_on = [exoscale_security_group_rule.agents]

  lifecycle {
    precondition {
      condition     = nonsensitive(contains(keys(var.agent_tls), each.key))
      error_message = "agent_tls has no certificate and key for agent ${each.key}."
    }
  }
}
