// The custom resources the chart renders, as the type declarations of the npm packages in
// package.json; generate.sh turns each into a JSON schema kubeconform reads
// (additionalProperties false: an unknown field is an error, as kubeconform -strict does for
// the built-in kinds).
export type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
export type { IPodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
export type { IPrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
export type { ICertificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
export type { IIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer";
