output "user_data" {
  description = "The #cloud-config document for the machine (sensitive: it holds the agent's private key)."
  value       = local.user_data
  sensitive   = true
  precondition {
    # Hetzner Cloud and Exoscale both refuse user data above 32 KiB.
    condition     = length(local.user_data) <= 32768
    error_message = "The rendered cloud-init is above 32 KiB, the limit of Hetzner Cloud and Exoscale: shorten politeness.opt_out, profiles or extra_vantages."
  }
}

output "agent_config" {
  description = "The agent's config file (observatory agent --config): agent_id, vantages, politeness, timeouts."
  value       = local.agent_config_yaml
}

output "systemd_unit" {
  description = "The systemd unit that runs the agent (sensitive when it holds Kafka properties)."
  value       = local.unit
  sensitive   = true
}

output "exec_start" {
  description = "The unit's command line as a list of words (sensitive when it holds Kafka properties)."
  value       = local.command_words
  sensitive   = true
}

output "vantages" {
  description = "The vantages the agent registers (id, region, provider, tor)."
  value       = [for v in local.vantages : { id = v.id, region = v.region, provider = v.provider, tor = try(tobool(v.tor), false) }]
}
