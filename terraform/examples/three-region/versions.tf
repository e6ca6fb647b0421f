terraform {
  required_version = ">= 1.5.0"
  required_providers {
    hcloud = {
      source  = "hetznercloud/hcloud"
      version = ">= 1.68.0, < 2.0.0"
    }
    exoscale = {
      source  = "exoscale/exoscale"
      version = ">= 0.69.3, < 1.0.0"
    }
  }
}

provider "hcloud" {
  token = var.hcloud_token
}

provider "exoscale" {
  key    = var.exoscale_key
  secret = var.exoscale_secret
}
