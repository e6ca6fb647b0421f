# Plan-level tests with dummy credentials and template ids given (the template lookup by name is a
# data source: it asks the Exoscale API at plan time). Planning new instances, a security group and
# its rules asks the API nothing, so these run offline against the locally built provider.

provider "exoscale" {
  key    = "EXO00000000000000000000000"
  secret = "0000000000000000000000000000000000000000000"
}

variables {
  agents = {
    "ch-gva2" = { zone = "ch-gva-2", region = "eu-alps", tor = true }
    "de-fra1" = { zone = "de-fra-1", region = "eu-central", instance_type = "standard.small" }
    "bg-sof1" = { zone = "bg-sof-1", region = "eu-east" }
  }
  agent_tls = {
    "ch-gva2" = { cert_pem = "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n", key_pem = "-----BEGIN PRIVATE KEY-----\nA\n-----END PRIVATE KEY-----\n" }
    "de-fra1" = { cert_pem = "-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----\n", key_pem = "-----BEGIN PRIVATE KEY-----\nB\n-----END PRIVATE KEY-----\n" }
    "bg-sof1" = { cert_pem = "-----BEGIN CERTIFICATE-----\nC\n-----END CERTIFICATE-----\n", key_pem = "-----BEGIN PRIVATE KEY-----\nC\n-----END PRIVATE KEY-----\n" }
  }
  template_ids = {
    "ch-gva-2" = "00000000-0000-0000-0000-000000000001"
    "de-fra-1" = "00000000-0000-0000-0000-000000000002"
    "bg-sof-1" = "00000000-0000-0000-0000-000000000003"
  }
  coordinator      = "coordinator.example.org:50151"
  tls_ca_pem       = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n"
  image            = "registry.example.org/electrum-observatory:0.1.0"
  monitoring_cidrs = ["198.51.100.7/32"]
}

run "three_zones" {
  command = plan

  assert {
    condition = { for id, s in exoscale_compute_instance.agent : id => [s.name, s.zone, s.type, s.template_id, s.disk_size, s.ipv6] } == {
      "ch-gva2" = ["eo-agent-ch-gva2", "ch-gva-2", "standard.medium", "00000000-0000-0000-0000-000000000001", 20, true]
      "de-fra1" = ["eo-agent-de-fra1", "de-fra-1", "standard.small", "00000000-0000-0000-0000-000000000002", 20, true]
      "bg-sof1" = ["eo-agent-bg-sof1", "bg-sof-1", "standard.medium", "00000000-0000-0000-0000-000000000003", 20, true]
    }
    error_message = "One instance per agent in its zone, with its type and the zone's template, IPv6 on."
  }
  assert {
    condition = { for id, s in exoscale_compute_instance.agent : id => [s.labels.region, s.labels.agent_id] } == {
      "ch-gva2" = ["eu-alps", "ch-gva2"]
      "de-fra1" = ["eu-central", "de-fra1"]
      "bg-sof1" = ["eu-east", "bg-sof1"]
    }
    error_message = "Instances labelled with their agent id and region."
  }
  assert {
    condition     = length(data.exoscale_template.os) == 0
    error_message = "With template ids given, no template lookup (no API call)."
  }
  assert {
    condition     = alltrue([for id, s in exoscale_compute_instance.agent : strcontains(nonsensitive(s.user_data), "\"agent_id\": \"${id}\"")])
    error_message = "Each instance's cloud-init carries its own agent's config."
  }
  assert {
    condition     = strcontains(nonsensitive(exoscale_compute_instance.agent["ch-gva2"].user_data), "\"provider\": \"exoscale\"")
    error_message = "Vantages labelled with the provider."
  }
  assert {
    condition = toset([for r in exoscale_security_group_rule.agents : "${r.protocol} ${r.cidr} ${r.start_port}-${r.end_port}" if r.type == "INGRESS"]) == toset([
      "TCP 198.51.100.7/32 9464-9464",
    ])
    error_message = "Inbound: only the metrics port, only from the monitoring address."
  }
  assert {
    # Ports of ICMP rules and ICMP fields of port rules are left to the API (unknown at plan).
    condition = toset([
      for r in exoscale_security_group_rule.agents : startswith(r.protocol, "ICMP") ? "${r.protocol} ${r.cidr} type ${r.icmp_type} code ${r.icmp_code}" : "${r.protocol} ${r.cidr} ${r.start_port}-${r.end_port}"
      if r.type == "EGRESS"
      ]) == toset([
      "TCP 0.0.0.0/0 1-65535", "TCP ::/0 1-65535",
      "UDP 0.0.0.0/0 53-53", "UDP ::/0 53-53",
      "UDP 0.0.0.0/0 123-123", "UDP ::/0 123-123",
      "ICMP 0.0.0.0/0 type -1 code -1", "ICMPv6 ::/0 type -1 code -1",
    ])
    error_message = "Outbound: TCP for the agent, DNS, NTP and ICMP, on IPv4 and IPv6; nothing else."
  }
}

run "ssh_only_from_admins" {
  command = plan
  variables {
    ssh_cidrs = ["203.0.113.0/24"]
  }
  assert {
    condition = toset([for r in exoscale_security_group_rule.agents : "${r.cidr} ${r.start_port}" if r.type == "INGRESS"]) == toset([
      "198.51.100.7/32 9464", "203.0.113.0/24 22",
    ])
    error_message = "SSH only from ssh_cidrs."
  }
}

run "rejects_metrics_open_to_the_world" {
  command = plan
  variables {
    monitoring_cidrs = ["::/0"]
  }
  expect_failures = [var.monitoring_cidrs]
}

run "rejects_an_unknown_zone" {
  command = plan
  variables {
    agents = { "us-1" = { zone = "us-east-1", region = "us" } }
  }
  expect_failures = [var.agents]
}

run "rejects_a_disk_below_10_gib" {
  command = plan
  variables {
    disk_size = 5
  }
  expect_failures = [var.disk_size]
}

run "rejects_an_instance_type_without_family" {
  command = plan
  variables {
    instance_type = "medium"
  }
  expect_failures = [var.instance_type]
}

run "rejects_an_agent_without_certificate" {
  command = plan
  variables {
    agents = {
      "ch-gva2" = { zone = "ch-gva-2", region = "eu-alps" }
      "at-vie1" = { zone = "at-vie-1", region = "eu-east" }
    }
    template_ids = { "ch-gva-2" = "00000000-0000-0000-0000-000000000001", "at-vie-1" = "00000000-0000-0000-0000-000000000004" }
  }
  expect_failures = [exoscale_compute_instance.agent]
}
