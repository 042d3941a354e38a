{{/* Names and labels shared by every template. */}}

{{- define "keelson.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's base name: every object of the release is named from it. */}}
{{- define "keelson.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "keelson.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "keelson.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "keelson.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of one component: include with (dict "root" $ "component" "manager"). */}}
{{- define "keelson.selectorLabels" -}}
app.kubernetes.io/name: {{ include "keelson.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The standard labels of one component: include with (dict "root" $ "component" "manager"). */}}
{{- define "keelson.labels" -}}
{{ include "keelson.selectorLabels" . }}
helm.sh/chart: {{ include "keelson.chart" .root }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: keelson
{{- end -}}

{{/* The manager's ServiceAccount: <fullname>-manager by default, so release "keelson" in keelson-system runs as
the identity crds/ names (system:serviceaccount:keelson-system:keelson-manager). */}}
{{- define "keelson.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (printf "%s-manager" (include "keelson.fullname" .) | trunc 63 | trimSuffix "-") .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The manager's image reference: a digest wins over a tag; the tag defaults to the chart's appVersion. */}}
{{- define "keelson.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Restricted Pod Security, for every pod the chart runs. */}}
{{- define "keelson.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "keelson.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/* Base name of the manager's Deployments: <fullname>-manager, plus -<role> when the roles are split. */}}
{{- define "keelson.managerName" -}}
{{- printf "%s-manager" (include "keelson.fullname" .) | trunc 55 | trimSuffix "-" -}}
{{- end -}}

{{/* The Service of the webhooks: the manager's Service, or the webhooks role's own when the roles are split. */}}
{{- define "keelson.webhooksServiceName" -}}
{{- if eq .Values.manager.roles.mode "split" -}}
{{- printf "%s-webhooks" (include "keelson.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- include "keelson.fullname" . -}}
{{- end -}}
{{- end -}}

{{- define "keelson.redisName" -}}
{{- printf "%s-redis" (include "keelson.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The manager's sensitive settings: the chart's Secret, or the operator's existingSecret. */}}
{{- define "keelson.secretName" -}}
{{- default (include "keelson.fullname" .) .Values.manager.existingSecret -}}
{{- end -}}

{{/* One value of manager.config as an environment string; integers stay integers (YAML reads them as floats). */}}
{{- define "keelson.envString" -}}
{{- if kindIs "float64" . -}}
{{- printf "%d" (int64 .) -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}

{{/* The registry proxy's CA ConfigMap: the proxy mounts it, the manager writes one key per project. */}}
{{- define "keelson.registryProxyCaConfigMap" -}}
{{- printf "%s-registry-cas" (include "keelson.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
