{{/* Chart name, or nameOverride. */}}
{{- define "imo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Object names: fullnameOverride, else the release name (+ the chart name unless it is in it). */}}
{{- define "imo.fullname" -}}
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

{{- define "imo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "imo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "imo.labels" -}}
{{ include "imo.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: controller
app.kubernetes.io/part-of: incident-manager-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "imo.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "imo.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "imo.leaseName" -}}
{{- default (include "imo.fullname" .) .Values.controller.leaseName -}}
{{- end -}}

{{- define "imo.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion | toString -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/*
V8 heap size in MiB: controller.heapPercentOfMemoryLimit of resources.limits.memory (a Kubernetes
quantity such as 512Mi, 1Gi, 800M or plain bytes). Empty when there is no memory limit.
*/}}
{{- define "imo.heapMiB" -}}
{{- $mem := "" -}}
{{- with .Values.resources -}}{{- with .limits -}}{{- with .memory -}}{{- $mem = . -}}{{- end -}}{{- end -}}{{- end -}}
{{- if $mem -}}
{{- $bytes := 0.0 -}}
{{- if kindIs "string" $mem -}}
{{- $m := regexFind "^[0-9]+(\\.[0-9]+)?" $mem -}}
{{- $unit := trimPrefix $m $mem -}}
{{- $factors := dict "" 1.0 "k" 1e3 "M" 1e6 "G" 1e9 "T" 1e12 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 -}}
{{- if or (not $m) (not (hasKey $factors $unit)) -}}
{{- fail (printf "resources.limits.memory %q is not a memory quantity this chart understands (e.g. 512Mi, 1Gi)" $mem) -}}
{{- end -}}
{{- $bytes = mulf (float64 $m) (get $factors $unit) -}}
{{- else -}}
{{- $bytes = float64 $mem -}}
{{- end -}}
{{- divf (mulf $bytes .Values.controller.heapPercentOfMemoryLimit) 104857600.0 | floor | int -}}
{{- end -}}
{{- end -}}

{{/* The flags of `imctl controller`, one per value (docs/controller.md). */}}
{{- define "imo.args" -}}
- controller
- --listen=:{{ .Values.controller.port }}
{{- with .Values.controller.region }}
- --region={{ . }}
{{- end }}
{{- with .Values.controller.namespaces }}
- --namespaces={{ join "," . }}
{{- end }}
{{- with .Values.controller.labelSelector }}
- --label-selector={{ . }}
{{- end }}
- --workers={{ .Values.controller.workers }}
- --resync={{ .Values.controller.resync }}
- --shutdown-grace={{ .Values.controller.shutdownGrace }}
{{- if .Values.controller.leaderElect }}
- --lease-namespace={{ .Release.Namespace }}
- --lease-name={{ include "imo.leaseName" . }}
{{- if gt (int .Values.controller.shards) 1 }}
- --shards={{ .Values.controller.shards }}
{{- end }}
{{- else }}
- --no-leader-elect
{{- end }}
{{- if gt (int .Values.controller.awsRate) 0 }}
- --aws-rate={{ .Values.controller.awsRate }}
{{- end }}
{{- if gt (int .Values.controller.awsConcurrency) 0 }}
- --aws-concurrency={{ .Values.controller.awsConcurrency }}
{{- end }}
- --log-level={{ .Values.controller.logLevel }}
{{- range .Values.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end -}}

{{/* The CRDs' extra metadata (templates/crds/, generated). */}}
{{- define "imo.crdAnnotations" -}}
{{- if .Values.crds.keep }}
annotations:
  helm.sh/resource-policy: keep
{{- end }}
{{- end -}}
