# Plan-level tests with a dummy token: planning new servers and a firewall asks the Hetzner API
# nothing, so these run offline against the locally built provider (tests/deploy/terraform).

provider "hcloud" {
  token = "0000000000000000000000000000000000000000000000000000000000000000"
}

variables {
  agents = {
    "eu-fsn1" = { location = "fsn1", region = "eu-central", tor = true }
    "us-ash"  = { location = "ash", region = "us-east", server_type = "cpx21" }
    "ap-sin"  = { location = "sin", region = "ap-southeast", server_type = "cpx21" }
  }
  agent_tls = {
    "eu-fsn1" = { cert_pem = "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n", key_pem = "-----BEGIN PRIVATE KEY-----\nA\n-----END PRIVATE KEY-----\n" }
    "us-ash"  = { cert_pem = "-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----\n", key_pem = "-----BEGIN PRIVATE KEY-----\nB\n-----END PRIVATE KEY-----\n" }
    "ap-sin"  = { cert_pem = "-----BEGIN CERTIFICATE-----\nC\n-----END CERTIFICATE-----\n", key_pem = "-----BEGIN PRIVATE KEY-----\nC\n-----END PRIVATE KEY-----\n" }
  }
  coordinator      = "coordinator.example.org:50151"
  tls_ca_pem       = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n"
  image            = "registry.example.org/electrum-observatory:0.1.0"
  monitoring_cidrs = ["198.51.100.7/32", "2001:db8::7/128"]
}

run "three_regions" {
  command = plan

  assert {
    condition = { for id, s in hcloud_server.agent : id => [s.name, s.location, s.server_type, s.image] } == {
      "eu-fsn1" = ["eo-agent-eu-fsn1", "fsn1", "cx23", "debian-12"]
      "us-ash"  = ["eo-agent-us-ash", "ash", "cpx21", "debian-12"]
      "ap-sin"  = ["eo-agent-ap-sin", "sin", "cpx21", "debian-12"]
    }
    error_message = "One server per agent in its location, with its server type."
  }
  assert {
    condition = { for id, s in hcloud_server.agent : id => [s.labels.region, s.labels.agent_id, s.labels.tor] } == {
      "eu-fsn1" = ["eu-central", "eu-fsn1", "true"]
      "us-ash"  = ["us-east", "us-ash", "false"]
      "ap-sin"  = ["ap-southeast", "ap-sin", "false"]
    }
    error_message = "Servers labelled with their agent id, region and Tor."
  }
  assert {
    condition     = alltrue([for s in hcloud_server.agent : one(s.public_net).ipv4_enabled && one(s.public_net).ipv6_enabled])
    error_message = "Every agent has IPv4 and IPv6 (servers answer on either)."
  }
  assert {
    # The provider plans user_data as its SHA-1 (base64): one document per server, each its agent's.
    condition = length(toset([for s in hcloud_server.agent : s.user_data])) == 3 && alltrue([
      for id, s in hcloud_server.agent : strcontains(nonsensitive(module.cloud_init[id].user_data), "\"agent_id\": \"${id}\"")
    ])
    error_message = "Each server boots with its own agent's cloud-init."
  }
  assert {
    condition     = module.cloud_init["eu-fsn1"].vantages[1].tor && length(module.cloud_init["us-ash"].vantages) == 1
    error_message = "Only the Tor agent installs tor."
  }
  assert {
    condition     = hcloud_firewall.agents.name == "eo-agent-agents"
    error_message = "One firewall for the agents."
  }
  assert {
    condition = [for r in hcloud_firewall.agents.rule : "${r.protocol}/${r.port} ${join(",", sort(r.source_ips))}" if r.direction == "in"] == [
      "tcp/9464 198.51.100.7/32,2001:db8::7/128",
    ]
    error_message = "Inbound: only the metrics port, only from the monitoring addresses (no SSH unless asked)."
  }
  assert {
    condition = toset([for r in hcloud_firewall.agents.rule : "${r.protocol}/${coalesce(r.port, "-")} ${join(",", sort(r.destination_ips))}" if r.direction == "out"]) == toset([
      "tcp/1-65535 0.0.0.0/0,::/0",
      "udp/53 0.0.0.0/0,::/0",
      "udp/123 0.0.0.0/0,::/0",
      "icmp/- 0.0.0.0/0,::/0",
    ])
    error_message = "Outbound: TCP for the agent, DNS, NTP and ICMP; nothing else (UDP elsewhere is dropped)."
  }
}

run "ssh_only_from_admins_and_narrow_egress" {
  command = plan

  variables {
    ssh_cidrs        = ["203.0.113.0/24"]
    egress_tcp_ports = ["50001-50002", "443", "9001"]
    name_prefix      = "obs"
    metrics_port     = 9500
  }

  assert {
    condition = toset([for r in hcloud_firewall.agents.rule : "${r.port} ${join(",", r.source_ips)}" if r.direction == "in"]) == toset([
      "9500 198.51.100.7/32,2001:db8::7/128",
      "22 203.0.113.0/24",
    ])
    error_message = "SSH only from ssh_cidrs, metrics on the chosen port."
  }
  assert {
    condition     = toset([for r in hcloud_firewall.agents.rule : r.port if r.direction == "out" && r.protocol == "tcp"]) == toset(["50001-50002", "443", "9001"])
    error_message = "Outbound TCP narrowed to the chosen ports."
  }
  assert {
    condition     = hcloud_server.agent["us-ash"].name == "obs-us-ash" && hcloud_firewall.agents.name == "obs-agents"
    error_message = "Names from name_prefix."
  }
}

run "rejects_metrics_open_to_the_world" {
  command = plan
  variables {
    monitoring_cidrs = ["0.0.0.0/0"]
  }
  expect_failures = [var.monitoring_cidrs]
}

run "rejects_no_monitoring_address" {
  command = plan
  variables {
    monitoring_cidrs = []
  }
  expect_failures = [var.monitoring_cidrs]
}

run "rejects_an_unknown_location" {
  command = plan
  variables {
    agents = { "eu-1" = { location = "fra1", region = "eu" } }
  }
  expect_failures = [var.agents]
}

run "rejects_an_agent_id_that_cannot_be_a_cn" {
  command = plan
  variables {
    agents = { "EU 1" = { location = "fsn1", region = "eu" } }
  }
  expect_failures = [var.agents]
}

run "rejects_egress_ports_out_of_range" {
  command = plan
  variables {
    egress_tcp_ports = ["0-70000"]
  }
  expect_failures = [var.egress_tcp_ports]
}

run "rejects_ssh_from_anywhere" {
  command = plan
  variables {
    ssh_cidrs = ["::/0"]
  }
  expect_failures = [var.ssh_cidrs]
}

run "rejects_an_agent_without_certificate" {
  command = plan
  variables {
    agents = {
      "eu-fsn1" = { location = "fsn1", region = "eu-central" }
      "eu-hel1" = { location = "hel1", region = "eu-north" }
    }
  }
  expect_failures = [hcloud_server.agent]
}
