# --- the machines -------------------------------------------------------------------------------

variable "agents" {
  description = <<-EOT
    The agent machines, keyed by agent id (the CN of the agent's certificate): the Hetzner location
    (fsn1, nbg1, hel1, ash, hil, sin), the vantage region label campaigns select (e.g. eu-central),
    the server type (default: var.server_type; ash, hil and sin offer the cpx types) and whether
    the machine also is a Tor vantage.
  EOT
  type = map(object({
    location    = string
    region      = string
    server_type = optional(string)
    tor         = optional(bool, false)
  }))
  validation {
    condition     = length(var.agents) > 0
    error_message = "agents must name at least one agent machine."
  }
  validation {
    condition     = alltrue([for id, a in var.agents : can(regex("^[a-z0-9][a-z0-9-]{0,62}$", id))])
    error_message = "Each agent id (a key of agents) must be 1-63 characters of a-z, 0-9 and '-': it is the machine's name and its certificate's CN."
  }
  validation {
    condition     = alltrue([for a in var.agents : contains(["fsn1", "nbg1", "hel1", "ash", "hil", "sin"], a.location)])
    error_message = "Each agent's location must be a Hetzner Cloud location: fsn1, nbg1, hel1, ash, hil or sin."
  }
  validation {
    condition     = alltrue([for a in var.agents : can(regex("^[a-z0-9][a-z0-9._-]{0,62}$", a.region))])
    error_message = "Each agent's region label must be 1-63 characters of a-z, 0-9, '.', '_' and '-'."
  }
}

variable "agent_tls" {
  description = "Per agent id: its certificate (CN = the id) and private key, PEM. Every agent of var.agents needs one (`observatory dev-ca --agents ...` writes agent-<id>.pem/.key for trials)."
  type = map(object({
    cert_pem = string
    key_pem  = string
  }))
  sensitive = true
}

variable "name_prefix" {
  description = "Prefix of the machines' and the firewall's names."
  type        = string
  default     = "eo-agent"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.name_prefix))
    error_message = "name_prefix must be 1-31 characters of a-z, 0-9 and '-', starting with a letter."
  }
}

variable "server_type" {
  description = "Default Hetzner server type of the agents (2 vCPU, 4 GB is plenty: an agent needs ~36 KB per TLS session)."
  type        = string
  default     = "cx23"
  validation {
    condition     = can(regex("^[a-z]+[0-9]+$", var.server_type))
    error_message = "server_type must be a Hetzner server type name such as cx23 or cpx21."
  }
}

variable "os_image" {
  description = "The machines' image; cloud-init installs podman (and tor) from its archive: Debian 12 or later, Ubuntu 22.04 or later."
  type        = string
  default     = "debian-12"
}

variable "ssh_key_ids" {
  description = "Hetzner SSH key ids or names put on the machines (with none, Hetzner mails a root password; SSH stays closed by the firewall unless ssh_cidrs opens it)."
  type        = list(string)
  default     = []
}

variable "labels" {
  description = "Extra labels on every machine and the firewall."
  type        = map(string)
  default     = {}
}

# --- the firewall -------------------------------------------------------------------------------

variable "monitoring_cidrs" {
  description = "Addresses (CIDR) of the Prometheus that scrapes the agents' /metrics; the only inbound traffic besides ssh_cidrs."
  type        = list(string)
  validation {
    condition     = length(var.monitoring_cidrs) > 0 && alltrue([for c in var.monitoring_cidrs : can(cidrhost(c, 0))])
    error_message = "monitoring_cidrs must list at least one address in CIDR notation (e.g. 198.51.100.7/32)."
  }
  validation {
    condition     = alltrue([for c in var.monitoring_cidrs : !endswith(c, "/0")])
    error_message = "monitoring_cidrs must not open the metrics port to the whole Internet (0.0.0.0/0 or ::/0)."
  }
}

variable "ssh_cidrs" {
  description = "Addresses (CIDR) allowed to SSH in (port 22). Empty (the default): no SSH."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for c in var.ssh_cidrs : can(cidrhost(c, 0)) && !endswith(c, "/0")])
    error_message = "ssh_cidrs must be addresses in CIDR notation, none of them the whole Internet (/0)."
  }
}

variable "egress_tcp_ports" {
  description = "TCP ports the agent may connect to, as \"N\" or \"N-M\": Electrum servers listen anywhere (50001/50002, 110, 443, 995, ...), so do Tor relays, the coordinator and Kafka; the default is every port."
  type        = list(string)
  default     = ["1-65535"]
  validation {
    condition = length(var.egress_tcp_ports) > 0 && alltrue([
      for p in var.egress_tcp_ports : can(regex("^[0-9]+(-[0-9]+)?$", p)) && alltrue([for n in split("-", p) : tonumber(n) >= 1 && tonumber(n) <= 65535])
    ])
    error_message = "egress_tcp_ports must list ports \"N\" or ranges \"N-M\" within 1-65535."
  }
}

# --- the agent (passed to modules/agent-cloud-init, which validates them) --------------------------

variable "coordinator" {
  description = "The coordinator's gRPC address HOST:PORT."
  type        = string
}

variable "tls_ca_pem" {
  description = "PEM of the CA that signs the coordinator's and the agents' certificates."
  type        = string
}

variable "image" {
  description = "The electrum-observatory container image the machines pull (registry reference)."
  type        = string
}

variable "registry_auth_json" {
  description = "Optional containers auth.json for a private registry."
  type        = string
  default     = null
  sensitive   = true
}

variable "politeness" {
  description = "Politeness caps per target (see modules/agent-cloud-init)."
  type = object({
    max_requests_per_second_per_target = optional(number, 5)
    max_concurrency_per_target         = optional(number, 2)
    backoff_after_error_ms             = optional(number, 2000)
    opt_out                            = optional(list(string), [])
  })
  default = {}
}

variable "concurrency" {
  description = "Probes in flight at once per agent."
  type        = number
  default     = 64
}

variable "metrics_port" {
  description = "Port of the agents' /metrics, open to monitoring_cidrs only."
  type        = number
  default     = 9464
}

variable "kafka_brokers" {
  description = "Kafka bootstrap servers (null: the embedded log on each machine)."
  type        = string
  default     = null
}

variable "kafka_properties" {
  description = "librdkafka properties (--kafka-property), e.g. SASL settings."
  type        = map(string)
  default     = {}
  sensitive   = true
}
