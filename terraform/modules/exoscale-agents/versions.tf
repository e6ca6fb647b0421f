terraform {
  # OpenTofu 1.6 (the last release `go install` builds) or Terraform 1.5+.
  required_version = ">= 1.5.0"
  required_providers {
    exoscale = {
      source  = "exoscale/exoscale"
      version = ">= 0.69.3, < 1.0.0"
    }
  }
}
