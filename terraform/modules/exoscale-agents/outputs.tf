output "agents" {
  description = "Per agent id: provider, zone, region, addresses, vantages and the /metrics endpoint."
  value = {
    for id, s in exoscale_compute_instance.agent : id => {
      provider = "exoscale"
      location = s.zone
      region   = var.agents[id].region
      ipv4     = s.public_ip_address
      ipv6     = s.ipv6_address
      vantages = module.cloud_init[id].vantages
      metrics  = "${s.public_ip_address}:${var.metrics_port}"
    }
  }
}

output "allow_list" {
  description = "The agents' addresses as CIDRs (/32 and /128) for the coordinator's (and Kafka's) firewall allow list."
  value = flatten([
    for s in exoscale_compute_instance.agent : [
      "${s.public_ip_address}/32",
      "${s.ipv6_address}/128",
    ]
  ])
}

output "metrics_targets" {
  description = "HOST:PORT of every agent's /metrics, for Prometheus' static_configs."
  value       = [for s in exoscale_compute_instance.agent : "${s.public_ip_address}:${var.metrics_port}"]
}

output "security_group_id" {
  description = "The agents' security group."
  value       = exoscale_security_group.agents.id
}
