variable "agent_id" {
  description = "The agent's id: its config's agent_id and the CN of its certificate (the coordinator checks both)."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,62}$", var.agent_id))
    error_message = "agent_id must be 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit."
  }
}

variable "provider_label" {
  description = "The vantages' provider label (eo.v1.Vantage.provider), e.g. \"hetzner\"."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]{0,62}$", var.provider_label))
    error_message = "provider_label must be 1-63 characters of a-z, 0-9, '.', '_' and '-'."
  }
}

variable "region" {
  description = "The vantages' region label (eo.v1.Vantage.region), e.g. \"eu-central\"; campaigns select vantages by it."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]{0,62}$", var.region))
    error_message = "region must be 1-63 characters of a-z, 0-9, '.', '_' and '-'."
  }
}

variable "tor" {
  description = "Also a Tor vantage: installs Debian's tor, opens its control port with a group-readable cookie on loopback, and adds the vantage <agent_id>-tor."
  type        = bool
  default     = false
}

variable "coordinator" {
  description = "The coordinator's gRPC address HOST:PORT (its certificate must name HOST)."
  type        = string
  validation {
    condition     = can(regex("^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$", var.coordinator)) && try(tonumber(regex("[0-9]+$", var.coordinator)) >= 1 && tonumber(regex("[0-9]+$", var.coordinator)) <= 65535, false)
    error_message = "coordinator must be HOST:PORT (an IPv6 address in brackets), the port 1-65535."
  }
}

variable "tls_ca_pem" {
  description = "PEM of the CA that signs the coordinator's and the agents' certificates."
  type        = string
  validation {
    condition     = strcontains(var.tls_ca_pem, "-----BEGIN CERTIFICATE-----")
    error_message = "tls_ca_pem must be a PEM certificate (-----BEGIN CERTIFICATE-----)."
  }
}

variable "tls_cert_pem" {
  description = "PEM of this agent's certificate (CN = agent_id)."
  type        = string
  validation {
    condition     = strcontains(var.tls_cert_pem, "-----BEGIN CERTIFICATE-----")
    error_message = "tls_cert_pem must be a PEM certificate (-----BEGIN CERTIFICATE-----)."
  }
}

variable "tls_key_pem" {
  description = "PEM of this agent's private key. It travels in the machine's user data (readable by the cloud account and by root on the machine) and in the Terraform state."
  type        = string
  sensitive   = true
  validation {
    condition     = can(regex("-----BEGIN [A-Z ]*PRIVATE KEY-----", var.tls_key_pem))
    error_message = "tls_key_pem must be a PEM private key (-----BEGIN ... PRIVATE KEY-----)."
  }
}

variable "image" {
  description = "The electrum-observatory container image podman runs (a registry reference: build it with the project's Containerfile and push it where the machines can pull)."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._/:@-]*$", var.image)) && length(var.image) <= 255
    error_message = "image must be a container image reference such as registry.example.org/electrum-observatory:0.1.0."
  }
}

variable "registry_auth_json" {
  description = "Optional containers auth.json (podman login's file) for a private registry; written 0600 and passed as --authfile."
  type        = string
  default     = null
  sensitive   = true
  validation {
    condition     = var.registry_auth_json == null || can(jsondecode(var.registry_auth_json).auths)
    error_message = "registry_auth_json must be a containers auth.json document with an \"auths\" object."
  }
}

variable "politeness" {
  description = "Politeness caps per target (agent/README.md): requests per second and sessions at once per target, back-off after an error, and hosts never probed."
  type = object({
    max_requests_per_second_per_target = optional(number, 5)
    max_concurrency_per_target         = optional(number, 2)
    backoff_after_error_ms             = optional(number, 2000)
    opt_out                            = optional(list(string), [])
  })
  default = {}
  validation {
    condition     = var.politeness.max_requests_per_second_per_target > 0 && var.politeness.max_requests_per_second_per_target <= 50
    error_message = "politeness.max_requests_per_second_per_target must be above 0 and at most 50 (DESIGN.md §6: be a polite client)."
  }
  validation {
    condition     = var.politeness.max_concurrency_per_target >= 1 && var.politeness.max_concurrency_per_target <= 8 && floor(var.politeness.max_concurrency_per_target) == var.politeness.max_concurrency_per_target
    error_message = "politeness.max_concurrency_per_target must be a whole number from 1 to 8."
  }
  validation {
    condition     = var.politeness.backoff_after_error_ms >= 0 && var.politeness.backoff_after_error_ms <= 3600000
    error_message = "politeness.backoff_after_error_ms must be from 0 to 3600000."
  }
  validation {
    condition     = alltrue([for h in var.politeness.opt_out : can(regex("^[A-Za-z0-9.:_-]+$", h))])
    error_message = "politeness.opt_out must list host names or addresses."
  }
}

variable "concurrency" {
  description = "Probes in flight at once (observatory agent --concurrency)."
  type        = number
  default     = 64
  validation {
    condition     = var.concurrency >= 1 && var.concurrency <= 100000 && floor(var.concurrency) == var.concurrency
    error_message = "concurrency must be a whole number from 1 to 100000."
  }
}

variable "timeout_ms" {
  description = "One wait of a probe (connect, TLS, one read)."
  type        = number
  default     = 10000
  validation {
    condition     = var.timeout_ms >= 100 && var.timeout_ms <= 600000
    error_message = "timeout_ms must be from 100 to 600000."
  }
}

variable "deadline_ms" {
  description = "One whole probe."
  type        = number
  default     = 120000
  validation {
    condition     = var.deadline_ms >= 1000 && var.deadline_ms <= 3600000
    error_message = "deadline_ms must be from 1000 to 3600000."
  }
}

variable "metrics_port" {
  description = "Port of the agent's /metrics (observatory agent --metrics-listen 0.0.0.0:PORT)."
  type        = number
  default     = 9464
  validation {
    condition     = var.metrics_port >= 1024 && var.metrics_port <= 65535 && floor(var.metrics_port) == var.metrics_port
    error_message = "metrics_port must be a whole number from 1024 to 65535."
  }
}

variable "kafka_brokers" {
  description = "Kafka bootstrap servers HOST:PORT,... the observations go to. Null: the embedded log on the machine's disk (then nothing leaves the machine but the completions)."
  type        = string
  default     = null
  validation {
    condition     = var.kafka_brokers == null || can(regex("^[A-Za-z0-9.\\[\\]:-]+:[0-9]+(,[A-Za-z0-9.\\[\\]:-]+:[0-9]+)*$", var.kafka_brokers))
    error_message = "kafka_brokers must be HOST:PORT[,HOST:PORT...]."
  }
}

variable "kafka_properties" {
  description = "librdkafka properties for the Kafka client (--kafka-property KEY=VALUE each), e.g. security.protocol = \"SASL_SSL\"."
  type        = map(string)
  default     = {}
  sensitive   = true
  validation {
    condition     = alltrue([for k, v in var.kafka_properties : can(regex("^[a-z0-9._]+$", k)) && !strcontains(v, "\n")])
    error_message = "kafka_properties keys must be librdkafka property names (a-z, 0-9, '.', '_'); values one line."
  }
}

variable "extra_vantages" {
  description = "More vantages for the agent's config, as agent/README.md writes them (e.g. a second egress address: {id, region, provider, bind})."
  type        = list(map(string))
  default     = []
}

variable "profiles" {
  description = "Client profiles for the agent's config (agent/README.md); empty: the agent's default (electrum/4.5.8, protocol 1.4-1.6)."
  type        = list(map(string))
  default     = []
}
