output "agents" {
  description = "Per agent id: provider, location, region, addresses, vantages and the /metrics endpoint."
  value = {
    for id, s in hcloud_server.agent : id => {
      provider = "hetzner"
      location = s.location
      region   = var.agents[id].region
      ipv4     = s.ipv4_address
      ipv6     = s.ipv6_address
      vantages = module.cloud_init[id].vantages
      metrics  = "${s.ipv4_address}:${var.metrics_port}"
    }
  }
}

output "allow_list" {
  description = "The agents' addresses as CIDRs (/32 and /128) for the coordinator's (and Kafka's) firewall allow list."
  value = flatten([
    for s in hcloud_server.agent : [
      "${s.ipv4_address}/32",
      "${s.ipv6_address}/128",
    ]
  ])
}

output "metrics_targets" {
  description = "HOST:PORT of every agent's /metrics, for Prometheus' static_configs."
  value       = [for s in hcloud_server.agent : "${s.ipv4_address}:${var.metrics_port}"]
}

output "firewall_id" {
  description = "The agents' firewall."
  value       = hcloud_firewall.agents.id
}
