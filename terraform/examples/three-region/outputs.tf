output "agents" {
  description = "Every agent: provider, location, region, addresses, vantages, metrics endpoint."
  value       = merge(module.hetzner.agents, module.exoscale.agents)
}

output "allow_list" {
  description = "The agents' addresses (CIDR) for the coordinator's and Kafka's firewalls."
  value       = concat(module.hetzner.allow_list, module.exoscale.allow_list)
}

output "metrics_targets" {
  description = "Prometheus static_configs targets."
  value       = concat(module.hetzner.metrics_targets, module.exoscale.metrics_targets)
}
