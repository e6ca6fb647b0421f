variable "hcloud_token" {
  description = "Hetzner Cloud API token (read/write) of the project the machines go to."
  type        = string
  sensitive   = true
}

variable "exoscale_key" {
  description = "Exoscale API key."
  type        = string
  sensitive   = true
}

variable "exoscale_secret" {
  description = "Exoscale API secret."
  type        = string
  sensitive   = true
}

variable "coordinator" {
  description = "The coordinator's gRPC address HOST:PORT (its certificate names HOST)."
  type        = string
}

variable "pki_dir" {
  description = "Directory with ca.pem and agent-<id>.pem/.key for every agent (`observatory dev-ca --out DIR --agents eu-fsn1,us-ash,ch-gva2 --hosts COORDINATOR_HOST` for a trial)."
  type        = string
}

variable "image" {
  description = "The electrum-observatory image the machines pull (build it with the Containerfile and push it to a registry they reach)."
  type        = string
}

variable "monitoring_cidrs" {
  description = "The Prometheus that scrapes the agents (CIDR)."
  type        = list(string)
}

variable "ssh_cidrs" {
  description = "Who may SSH in (CIDR); empty: nobody."
  type        = list(string)
  default     = []
}

variable "kafka_brokers" {
  description = "Kafka bootstrap servers the observations go to (null: each machine's embedded log)."
  type        = string
  default     = null
}

variable "kafka_properties" {
  description = "librdkafka properties, e.g. { \"security.protocol\" = \"SASL_SSL\", \"sasl.mechanism\" = \"SCRAM-SHA-512\", \"sasl.username\" = \"agent\", \"sasl.password\" = \"...\" }."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "exoscale_template_ids" {
  description = "Exoscale template id per zone instead of the lookup by name (which asks the API at plan time)."
  type        = map(string)
  default     = {}
}
