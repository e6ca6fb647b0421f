# --- the machines -------------------------------------------------------------------------------

variable "agents" {
  description = <<-EOT
    The agent machines, keyed by agent id (the CN of the agent's certificate): the Exoscale zone
    (ch-gva-2, ch-dk-2, at-vie-1, at-vie-2, de-fra-1, de-muc-1, bg-sof-1, hr-zag-1), the vantage
    region label campaigns select (e.g. eu-alps), the instance type (default: var.instance_type)
    and whether the machine also is a Tor vantage.
  EOT
  type = map(object({
    zone          = string
    region        = string
    instance_type = optional(string)
    tor           = optional(bool, false)
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
    condition     = alltrue([for a in var.agents : contains(["ch-gva-2", "ch-dk-2", "at-vie-1", "at-vie-2", "de-fra-1", "de-muc-1", "bg-sof-1", "hr-zag-1"], a.zone)])
    error_message = "Each agent's zone must be an Exoscale zone: ch-gva-2, ch-dk-2, at-vie-1, at-vie-2, de-fra-1, de-muc-1, bg-sof-1 or hr-zag-1."
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
  description = "Prefix of the machines' and the security group's names."
  type        = string
  default     = "eo-agent"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.name_prefix))
    error_message = "name_prefix must be 1-31 characters of a-z, 0-9 and '-', starting with a letter."
  }
}

variable "instance_type" {
  description = "Default Exoscale instance type of the agents (<family>.<size>; 2 vCPU, 4 GB is plenty)."
  type        = string
  default     = "standard.medium"
  validation {
    condition     = can(regex("^[a-z0-9]+\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must be <family>.<size>, such as standard.medium."
  }
}

variable "disk_size" {
  description = "Disk of each machine in GiB (podman's image store and the agent's spool)."
  type        = number
  default     = 20
  validation {
    condition     = var.disk_size >= 10 && floor(var.disk_size) == var.disk_size
    error_message = "disk_size must be a whole number of GiB, at least 10."
  }
}

variable "template_name" {
  description = "Name of the Exoscale template (image) the machines boot; cloud-init installs podman (and tor) from its archive."
  type        = string
  default     = "Linux Debian 12 (Bookworm) 64-bit"
}

variable "template_ids" {
  description = "Template id per zone, instead of looking template_name up (a lookup asks the Exoscale API, also at plan time)."
  type        = map(string)
  default     = {}
}

variable "ssh_key_names" {
  description = "Names of Exoscale SSH keys put on the machines."
  type        = list(string)
  default     = []
}

variable "labels" {
  description = "Extra labels on every machine."
  type        = map(string)
  default     = {}
}

# --- the security group -------------------------------------------------------------------------------

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
