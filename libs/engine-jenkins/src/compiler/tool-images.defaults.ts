// Default images of the steps Keelson implements. The builder is pinned by digest; the others by tag, which an
// operator should replace with a digest through `BuildSettings.images`.
import type { ToolImages } from './compile-input.types';

export const DEFAULT_TOOL_IMAGES: ToolImages = {
  agent: 'jenkins/inbound-agent:3345.v03dee9b_f88fc-1',
  // Google's last Kaniko release (the project was archived in June 2025; Chainguard's fork publishes no public
  // images). The `-debug` variant carries the busybox shell the Kubernetes plugin execs into.
  builder:
    'gcr.io/kaniko-project/executor:v1.23.2-debug@sha256:c3109d5926a997b100c4343944e06c6b30a6804b2f9abe0994d3de6ef92b028e',
  tools: 'alpine/k8s:1.34.1',
};
