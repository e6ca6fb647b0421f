terraform {
  # OpenTofu 1.6 (the last release `go install` builds) or Terraform 1.5+; no provider.
  required_version = ">= 1.5.0"
}
