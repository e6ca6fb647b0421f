terraform {
  # OpenTofu 1.6 (the last release `go install` builds) or Terraform 1.5+.
  required_version = ">= 1.5.0"
  required_providers {
    hcloud = {
      source  = "hetznercloud/hcloud"
      version = ">= 1.68.0, < 2.0.0"
    }
  }
}
