{{/* Names */}}
{{- define "eo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "eo.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* <fullname>-<suffix>, at most 63 characters */}}
{{- define "eo.component" -}}
{{- printf "%s-%s" (include "eo.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "eo.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "eo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "eo.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* labels: root, component */}}
{{- define "eo.labels" -}}
helm.sh/chart: {{ include "eo.chart" .root }}
{{ include "eo.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: electrum-observatory
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "eo.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "eo.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "eo.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "eo.torImage" -}}
{{- $repo := default .Values.image.repository .Values.agents.tor.image.repository -}}
{{- $tag := default (default .Chart.AppVersion .Values.image.tag) .Values.agents.tor.image.tag -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}

{{/* The pod-level settings every workload shares */}}
{{- define "eo.podCommon" -}}
serviceAccountName: {{ include "eo.serviceAccountName" . }}
automountServiceAccountToken: {{ .Values.automountServiceAccountToken }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* ---- mTLS ---- */}}
{{- define "eo.mtls.coordinatorSecret" -}}
{{- if eq .Values.mtls.mode "existingSecrets" -}}
{{- .Values.mtls.existingSecrets.coordinator -}}
{{- else -}}
{{- include "eo.component" (dict "root" . "name" "coordinator-tls") -}}
{{- end -}}
{{- end -}}

{{- define "eo.mtls.operatorSecret" -}}
{{- if eq .Values.mtls.mode "existingSecrets" -}}
{{- .Values.mtls.existingSecrets.operator -}}
{{- else -}}
{{- include "eo.component" (dict "root" . "name" "operator-tls") -}}
{{- end -}}
{{- end -}}

{{/* root, agent (a region entry) */}}
{{- define "eo.mtls.agentSecret" -}}
{{- $default := include "eo.component" (dict "root" .root "name" (printf "agent-%s-tls" .agent.name)) -}}
{{- if eq .root.Values.mtls.mode "existingSecrets" -}}
{{- default $default (get .root.Values.mtls.existingSecrets.agents .agent.name) -}}
{{- else -}}
{{- $default -}}
{{- end -}}
{{- end -}}

{{/* The coordinator's address inside the cluster */}}
{{- define "eo.coordinatorAddress" -}}
{{- printf "%s.%s.svc:%v" (include "eo.component" (dict "root" . "name" "coordinator")) .Release.Namespace .Values.coordinator.service.port -}}
{{- end -}}

{{/* --tls-* flags for the files of a mounted kubernetes.io/tls Secret */}}
{{- define "eo.tlsArgs" -}}
- --tls-ca=/etc/electrum-observatory/tls/ca.crt
- --tls-cert=/etc/electrum-observatory/tls/tls.crt
- --tls-key=/etc/electrum-observatory/tls/tls.key
{{- end -}}

{{/* ---- Kafka ---- */}}
{{- define "eo.kafka.securityProtocol" -}}
{{- $k := .Values.kafka -}}
{{- if and $k.sasl.enabled $k.tls.enabled -}}SASL_SSL
{{- else if $k.sasl.enabled -}}SASL_PLAINTEXT
{{- else if $k.tls.enabled -}}SSL
{{- end -}}
{{- end -}}

{{/* --kafka and --kafka-property flags (values, SASL from the Secret's env vars, TLS files) */}}
{{- define "eo.kafka.args" -}}
{{- $k := .Values.kafka -}}
{{- if $k.bootstrapServers }}
- {{ printf "--kafka=%s" $k.bootstrapServers | quote }}
{{- $proto := include "eo.kafka.securityProtocol" . }}
{{- if $proto }}
- --kafka-property=security.protocol={{ $proto }}
{{- end }}
{{- if $k.sasl.enabled }}
- --kafka-property=sasl.mechanism={{ $k.sasl.mechanism }}
- --kafka-property=sasl.username=$(EO_KAFKA_SASL_USERNAME)
- --kafka-property=sasl.password=$(EO_KAFKA_SASL_PASSWORD)
{{- end }}
{{- if $k.tls.enabled }}
- --kafka-property=ssl.ca.location=/etc/electrum-observatory/kafka-tls/{{ $k.tls.caKey }}
{{- if $k.tls.certKey }}
- --kafka-property=ssl.certificate.location=/etc/electrum-observatory/kafka-tls/{{ $k.tls.certKey }}
- --kafka-property=ssl.key.location=/etc/electrum-observatory/kafka-tls/{{ $k.tls.keyKey }}
{{- end }}
{{- end }}
{{- range $key, $value := $k.properties }}
- {{ printf "--kafka-property=%s=%v" $key $value | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "eo.kafka.env" -}}
{{- $k := .Values.kafka -}}
{{- if and $k.bootstrapServers $k.sasl.enabled }}
- name: EO_KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $k.sasl.existingSecret }}
      key: {{ $k.sasl.usernameKey }}
- name: EO_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $k.sasl.existingSecret }}
      key: {{ $k.sasl.passwordKey }}
{{- end }}
{{- end -}}

{{- define "eo.kafka.volumeMounts" -}}
{{- if and .Values.kafka.bootstrapServers .Values.kafka.tls.enabled }}
- name: kafka-tls
  mountPath: /etc/electrum-observatory/kafka-tls
  readOnly: true
{{- end }}
{{- end -}}

{{- define "eo.kafka.volumes" -}}
{{- if and .Values.kafka.bootstrapServers .Values.kafka.tls.enabled }}
- name: kafka-tls
  secret:
    secretName: {{ .Values.kafka.tls.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- end -}}

{{/* Probes on /metrics (every role serves it) */}}
{{- define "eo.metricsProbes" -}}
readinessProbe:
  httpGet:
    path: /metrics
    port: metrics
  periodSeconds: 10
  timeoutSeconds: 5
livenessProbe:
  httpGet:
    path: /metrics
    port: metrics
  initialDelaySeconds: 20
  periodSeconds: 30
  timeoutSeconds: 5
  failureThreshold: 4
{{- end -}}

{{/* A PVC spec body from a persistence block */}}
{{- define "eo.pvcSpec" -}}
accessModes:
  {{- toYaml .accessModes | nindent 2 }}
{{- with .storageClass }}
storageClassName: {{ . | quote }}
{{- end }}
resources:
  requests:
    storage: {{ .size | quote }}
{{- end -}}

{{/* The ingress rule for /metrics: port, from (NetworkPolicyPeer list; empty: anyone) */}}
{{- define "eo.networkPolicy.metrics" -}}
- ports:
    - port: {{ .port }}
      protocol: TCP
  {{- with .from }}
  from:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
