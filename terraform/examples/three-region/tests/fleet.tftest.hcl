# The example's plan with dummy credentials and dummy PEM files (tests/pki): three agents in three
# regions on two providers. Exoscale's template ids are given (the lookup by name asks the API).

variables {
  hcloud_token     = "0000000000000000000000000000000000000000000000000000000000000000"
  exoscale_key     = "EXO00000000000000000000000"
  exoscale_secret  = "0000000000000000000000000000000000000000000"
  coordinator      = "coordinator.example.org:50151"
  pki_dir          = "tests/pki"
  image            = "registry.example.org/electrum-observatory:0.1.0"
  monitoring_cidrs = ["198.51.100.7/32"]
  kafka_brokers    = "kafka.example.org:9093"
  exoscale_template_ids = {
    "ch-gva-2" = "00000000-0000-0000-0000-000000000001"
  }
}

run "three_regions_two_providers" {
  command = plan

  assert {
    condition = { for id, a in output.agents : id => [a.provider, a.location, a.region] } == {
      "eu-fsn1" = ["hetzner", "fsn1", "eu-central"]
      "us-ash"  = ["hetzner", "ash", "us-east"]
      "ch-gva2" = ["exoscale", "ch-gva-2", "eu-alps"]
    }
    error_message = "Three agents, three regions, two providers."
  }
  assert {
    condition     = join(" ", sort(flatten([for a in output.agents : [for v in a.vantages : v.id]]))) == "ch-gva2-clear eu-fsn1-clear eu-fsn1-tor us-ash-clear"
    error_message = "The vantages the coordinator will see."
  }
  assert {
    condition     = length(output.allow_list) == 6 && length(output.metrics_targets) == 3
    error_message = "Two addresses per agent for the allow list, one metrics target per agent."
  }
}
