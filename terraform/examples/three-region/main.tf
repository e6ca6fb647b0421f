# A three-region fleet on two providers: Hetzner in Falkenstein (eu-central, also a Tor vantage)
# and Ashburn (us-east), Exoscale in Geneva (eu-alps). Each agent registers a clearnet vantage
# "<id>-clear" (and "<id>-tor") with its region and provider labels; campaigns pick vantages by them.

locals {
  hetzner = {
    "eu-fsn1" = { location = "fsn1", region = "eu-central", tor = true }
    "us-ash"  = { location = "ash", region = "us-east", server_type = "cpx21" }
  }
  exoscale = {
    "ch-gva2" = { zone = "ch-gva-2", region = "eu-alps" }
  }
  tls = {
    for id in concat(keys(local.hetzner), keys(local.exoscale)) : id => {
      cert_pem = file("${var.pki_dir}/agent-${id}.pem")
      key_pem  = file("${var.pki_dir}/agent-${id}.key")
    }
  }
  # The same politeness everywhere: the caps hold per target over all vantages only if every
  # agent keeps its share (DESIGN.md §6).
  politeness = {
    max_requests_per_second_per_target = 2
    max_concurrency_per_target         = 1
    backoff_after_error_ms             = 5000
    opt_out                            = []
  }
}

module "hetzner" {
  source = "../../modules/hcloud-agents"

  agents           = local.hetzner
  agent_tls        = { for id in keys(local.hetzner) : id => local.tls[id] }
  coordinator      = var.coordinator
  tls_ca_pem       = file("${var.pki_dir}/ca.pem")
  image            = var.image
  politeness       = local.politeness
  monitoring_cidrs = var.monitoring_cidrs
  ssh_cidrs        = var.ssh_cidrs
  kafka_brokers    = var.kafka_brokers
  kafka_properties = var.kafka_properties
}

module "exoscale" {
  source = "../../modules/exoscale-agents"

  agents           = local.exoscale
  agent_tls        = { for id in keys(local.exoscale) : id => local.tls[id] }
  template_ids     = var.exoscale_template_ids
  coordinator      = var.coordinator
  tls_ca_pem       = file("${var.pki_dir}/ca.pem")
  image            = var.image
  politeness       = local.politeness
  monitoring_cidrs = var.monitoring_cidrs
  ssh_cidrs        = var.ssh_cidrs
  kafka_brokers    = var.kafka_brokers
  kafka_properties = var.kafka_properties
}
