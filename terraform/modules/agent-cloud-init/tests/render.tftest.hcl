# Plan-level tests of the rendered cloud-init (no provider: fully offline). `tofu test` in the
# module's folder runs them; tests/deploy/terraform/check.sh also checks the rendered documents
# with cloud-init's own schema and the agent config with the observatory binary.

variables {
  agent_id       = "eu-fsn1"
  provider_label = "hetzner"
  region         = "eu-central"
  coordinator    = "coordinator.example.org:50151"
  tls_ca_pem     = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n"
  tls_cert_pem   = "-----BEGIN CERTIFICATE-----\nMIIBagent\n-----END CERTIFICATE-----\n"
  tls_key_pem    = "-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n"
  image          = "registry.example.org/electrum-observatory:0.1.0"
}

run "clearnet_agent" {
  command = plan

  assert {
    condition     = startswith(nonsensitive(output.user_data), "#cloud-config\n")
    error_message = "user_data must start with #cloud-config."
  }
  assert {
    condition     = yamldecode(nonsensitive(output.user_data)).packages == ["podman"]
    error_message = "A clearnet agent installs podman only."
  }
  assert {
    condition     = yamldecode(output.agent_config).agent_id == "eu-fsn1"
    error_message = "The config's agent_id must be the agent id (the certificate's CN)."
  }
  assert {
    condition     = yamldecode(output.agent_config).vantages == [{ id = "eu-fsn1-clear", region = "eu-central", provider = "hetzner" }]
    error_message = "One clearnet vantage with the region and provider labels."
  }
  assert {
    condition = yamldecode(output.agent_config).politeness == {
      max_requests_per_second_per_target = 5, max_concurrency_per_target = 2, backoff_after_error_ms = 2000, opt_out = []
    }
    error_message = "The agent's own politeness defaults, written out."
  }
  assert {
    condition     = join(" ", nonsensitive(output.exec_start)) == "/usr/bin/podman run --rm --name eo-agent --network host --pull missing --log-driver journald --volume /etc/electrum-observatory:/etc/electrum-observatory:ro --volume /var/lib/electrum-observatory:/var/lib/observatory registry.example.org/electrum-observatory:0.1.0 agent --coordinator coordinator.example.org:50151 --config /etc/electrum-observatory/agent.yaml --tls-ca /etc/electrum-observatory/tls/ca.pem --tls-cert /etc/electrum-observatory/tls/agent.pem --tls-key /etc/electrum-observatory/tls/agent.key --data-dir /var/lib/observatory/data --metrics-listen 0.0.0.0:9464 --log-format json --concurrency 64"
    error_message = "The agent's command line."
  }
  assert {
    condition = [for f in yamldecode(nonsensitive(output.user_data)).write_files : "${f.path} ${f.permissions}"] == [
      "/etc/electrum-observatory/agent.yaml 0644",
      "/etc/electrum-observatory/tls/ca.pem 0644",
      "/etc/electrum-observatory/tls/agent.pem 0644",
      "/etc/electrum-observatory/tls/agent.key 0600",
      "/etc/systemd/system/electrum-observatory-agent.service 0600",
    ]
    error_message = "Config, CA, certificate, key (0600) and the unit, nothing else."
  }
  assert {
    condition = [for c in yamldecode(nonsensitive(output.user_data)).runcmd : join(" ", c)] == [
      "install -d -m 0700 -o 10001 /var/lib/electrum-observatory",
      "chown 10001 /etc/electrum-observatory/tls/agent.key",
      "systemctl daemon-reload",
      "systemctl enable --now electrum-observatory-agent.service",
    ]
    error_message = "cloud-init gives the data directory and the key to the image's user (uid 10001), then enables and starts the unit."
  }
  assert {
    condition     = !strcontains(nonsensitive(output.systemd_unit), "/run/tor") && !strcontains(nonsensitive(output.systemd_unit), "tor.service")
    error_message = "No Tor in a clearnet agent's unit."
  }
}

run "tor_agent_with_kafka_and_private_registry" {
  command = plan

  variables {
    tor                = true
    kafka_brokers      = "kafka-1.example.org:9093,kafka-2.example.org:9093"
    kafka_properties   = { "security.protocol" = "SASL_SSL", "sasl.password" = "p%$\"w" }
    registry_auth_json = "{\"auths\":{\"registry.example.org\":{\"auth\":\"dXNlcjpwYXNz\"}}}"
    politeness         = { max_requests_per_second_per_target = 1, opt_out = ["optout.example"] }
    metrics_port       = 9500
  }

  assert {
    condition     = yamldecode(nonsensitive(output.user_data)).packages == ["podman", "tor"]
    error_message = "A Tor agent installs tor."
  }
  assert {
    condition     = [for v in yamldecode(output.agent_config).vantages : v.id] == ["eu-fsn1-clear", "eu-fsn1-tor"]
    error_message = "A clearnet and a Tor vantage."
  }
  assert {
    condition = yamldecode(output.agent_config).vantages[1] == {
      id      = "eu-fsn1-tor", region = "eu-central", provider = "hetzner", tor = true, socks = "127.0.0.1:9050",
      isolate = true, tor_control = "127.0.0.1:9051", tor_cookie = "/run/tor/control.authcookie"
    }
    error_message = "The Tor vantage uses tor's SOCKS and control ports on loopback, isolated streams."
  }
  assert {
    condition     = yamldecode(output.agent_config).politeness.max_requests_per_second_per_target == 1 && yamldecode(output.agent_config).politeness.opt_out == ["optout.example"]
    error_message = "Politeness from the variable."
  }
  assert {
    condition     = strcontains(nonsensitive(output.systemd_unit), "--kafka kafka-1.example.org:9093,kafka-2.example.org:9093")
    error_message = "Kafka brokers on the command line."
  }
  assert {
    # % and $ doubled for systemd, " escaped, the whole word quoted; sorted by key.
    condition     = strcontains(nonsensitive(output.systemd_unit), "--kafka-property \"sasl.password=p%%$$\\\"w\" \\\n    --kafka-property \"security.protocol=SASL_SSL\"")
    error_message = "Kafka properties quoted for systemd."
  }
  assert {
    condition     = strcontains(nonsensitive(output.systemd_unit), "--volume /run/tor:/run/tor:ro \\\n    --group-add $${TOR_GID}") && strcontains(nonsensitive(output.systemd_unit), "EnvironmentFile=/etc/electrum-observatory/tor-gid.env")
    error_message = "The container reads tor's cookie through tor's group."
  }
  assert {
    condition     = strcontains(nonsensitive(output.systemd_unit), "--authfile /etc/electrum-observatory/registry-auth.json") && strcontains(nonsensitive(output.systemd_unit), "--metrics-listen 0.0.0.0:9500")
    error_message = "Registry credentials and the metrics port."
  }
  assert {
    condition     = [for f in yamldecode(nonsensitive(output.user_data)).write_files : f.path if try(f.defer, false)] == ["/etc/tor/torrc"]
    error_message = "tor's config is appended after the package is installed."
  }
  assert {
    condition     = contains([for c in yamldecode(nonsensitive(output.user_data)).runcmd : join(" ", c)], "systemctl restart tor.service")
    error_message = "tor restarts with the control port."
  }
}

run "rejects_an_agent_id_that_cannot_be_a_cn" {
  command = plan
  variables {
    agent_id = "EU_1"
  }
  expect_failures = [var.agent_id]
}

run "rejects_a_coordinator_without_port" {
  command = plan
  variables {
    coordinator = "coordinator.example.org"
  }
  expect_failures = [var.coordinator]
}

run "rejects_a_coordinator_port_out_of_range" {
  command = plan
  variables {
    coordinator = "coordinator.example.org:70000"
  }
  expect_failures = [var.coordinator]
}

run "rejects_impolite_request_rates" {
  command = plan
  variables {
    politeness = { max_requests_per_second_per_target = 500 }
  }
  expect_failures = [var.politeness]
}

run "rejects_too_many_sessions_per_target" {
  command = plan
  variables {
    politeness = { max_concurrency_per_target = 20 }
  }
  expect_failures = [var.politeness]
}

run "rejects_a_key_that_is_not_pem" {
  command = plan
  variables {
    tls_key_pem = "not a key"
  }
  expect_failures = [var.tls_key_pem]
}

run "rejects_a_privileged_metrics_port" {
  command = plan
  variables {
    metrics_port = 80
  }
  expect_failures = [var.metrics_port]
}

run "rejects_kafka_brokers_without_ports" {
  command = plan
  variables {
    kafka_brokers = "kafka.example.org"
  }
  expect_failures = [var.kafka_brokers]
}

run "rejects_an_image_reference_with_spaces" {
  command = plan
  variables {
    image = "registry.example.org/electrum observatory"
  }
  expect_failures = [var.image]
}
