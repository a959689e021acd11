{{/* The CRDs' extra metadata (the CRD templates are generated, shared with the controller chart). */}}
{{- define "imo.crdAnnotations" -}}
{{- $annotations := deepCopy (.Values.annotations | default dict) -}}
{{- if .Values.crds.keep -}}
{{- $_ := set $annotations "helm.sh/resource-policy" "keep" -}}
{{- end -}}
{{- with $annotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
