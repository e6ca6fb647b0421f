# cloud-init for one agent machine: Debian's podman runs the electrum-observatory image as a
# systemd unit (`observatory agent --coordinator ... --config ...`), with the agent's config
# (vantages, politeness), its mTLS material and, for a Tor vantage, Debian's tor on loopback.
# Only renders text: no provider, so it is tested offline in full (tests/).

locals {
  etc  = "/etc/electrum-observatory"
  data = "/var/lib/electrum-observatory"
  # The image's user (Containerfile: useradd --uid 10001 observatory).
  image_uid = 10001

  vantages = concat(
    [{ id = "${var.agent_id}-clear", region = var.region, provider = var.provider_label }],
    var.tor ? [{
      id          = "${var.agent_id}-tor"
      region      = var.region
      provider    = var.provider_label
      tor         = true
      socks       = "127.0.0.1:9050"
      isolate     = true
      tor_control = "127.0.0.1:9051"
      tor_cookie  = "/run/tor/control.authcookie"
    }] : [],
    var.extra_vantages,
  )

  # The format of agent/README.md's task file without `tasks` (observatory agent --config).
  agent_config = merge(
    {
      agent_id    = var.agent_id
      timeout_ms  = var.timeout_ms
      deadline_ms = var.deadline_ms
      vantages    = local.vantages
      politeness  = var.politeness
    },
    length(var.profiles) > 0 ? { profiles = var.profiles } : {},
  )
  agent_config_yaml = yamlencode(local.agent_config)

  # The agent's command line in groups (a flag and its value): one line each in the unit.
  # Kafka properties are quoted for systemd: a double-quoted word with \ and " escaped, % and $
  # doubled (specifiers and variable expansion).
  kafka_groups = [
    for k in sort(keys(var.kafka_properties)) : [
      "--kafka-property",
      format("\"%s\"", replace(replace(replace(replace("${k}=${var.kafka_properties[k]}",
      "\\", "\\\\"), "\"", "\\\""), "%", "%%"), "$", "$$")),
    ]
  ]
  command_groups = concat(
    [
      ["/usr/bin/podman", "run", "--rm"],
      ["--name", "eo-agent"],
      ["--network", "host"],
      ["--pull", "missing"],
      ["--log-driver", "journald"],
      ["--volume", "${local.etc}:${local.etc}:ro"],
      ["--volume", "${local.data}:/var/lib/observatory"],
    ],
    var.tor ? [["--volume", "/run/tor:/run/tor:ro"], ["--group-add", "$${TOR_GID}"]] : [],
    var.registry_auth_json == null ? [] : [["--authfile", "${local.etc}/registry-auth.json"]],
    [
      [var.image, "agent"],
      ["--coordinator", var.coordinator],
      ["--config", "${local.etc}/agent.yaml"],
      ["--tls-ca", "${local.etc}/tls/ca.pem"],
      ["--tls-cert", "${local.etc}/tls/agent.pem"],
      ["--tls-key", "${local.etc}/tls/agent.key"],
      ["--data-dir", "/var/lib/observatory/data"],
      ["--metrics-listen", "0.0.0.0:${var.metrics_port}"],
      ["--log-format", "json"],
      ["--concurrency", tostring(var.concurrency)],
    ],
    var.kafka_brokers == null ? [] : [["--kafka", var.kafka_brokers]],
    local.kafka_groups,
  )
  command_words = flatten(local.command_groups)

  unit = templatefile("${path.module}/templates/agent.service.tftpl", {
    agent_id     = var.agent_id
    metrics_port = var.metrics_port
    tor          = var.tor
    exec_start   = join(" \\\n    ", [for g in local.command_groups : join(" ", g)])
  })

  # Loopback only: the agent's Tor vantage; the control port answers with a cookie the tor group
  # reads (the container joins that group).
  torrc = <<-EOT
    # Electrum Observatory agent: SOCKS and control port on loopback only.
    SocksPort 127.0.0.1:9050
    ControlPort 127.0.0.1:9051
    CookieAuthentication 1
    CookieAuthFileGroupReadable 1
  EOT

  write_files = concat(
    [
      { path = "${local.etc}/agent.yaml", permissions = "0644", content = local.agent_config_yaml },
      { path = "${local.etc}/tls/ca.pem", permissions = "0644", content = var.tls_ca_pem },
      { path = "${local.etc}/tls/agent.pem", permissions = "0644", content = var.tls_cert_pem },
      { path = "${local.etc}/tls/agent.key", permissions = "0600", content = var.tls_key_pem },
      # 0600: it may hold Kafka credentials (--kafka-property).
      { path = "/etc/systemd/system/electrum-observatory-agent.service", permissions = "0600", content = local.unit },
    ],
    var.registry_auth_json == null ? [] : [
      { path = "${local.etc}/registry-auth.json", permissions = "0600", content = var.registry_auth_json },
    ],
    # Deferred: written after the packages are installed, so tor's own torrc is there to append to.
    var.tor ? [{ path = "/etc/tor/torrc", append = true, defer = true, content = local.torrc }] : [],
  )

  runcmd = concat(
    [
      # Owned by the image's user (by uid: its group's gid is the image's business), 0700/0600.
      ["install", "-d", "-m", "0700", "-o", tostring(local.image_uid), local.data],
      ["chown", tostring(local.image_uid), "${local.etc}/tls/agent.key"],
    ],
    var.tor ? [
      ["sh", "-c", "echo TOR_GID=$(getent group debian-tor | cut -d: -f3) > ${local.etc}/tor-gid.env"],
      ["systemctl", "restart", "tor.service"],
    ] : [],
    [
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "--now", "electrum-observatory-agent.service"],
    ],
  )

  cloud_config = {
    package_update = true
    packages       = concat(["podman"], var.tor ? ["tor"] : [])
    write_files    = local.write_files
    runcmd         = local.runcmd
  }
  user_data = "#cloud-config\n${yamlencode(local.cloud_config)}"
}
