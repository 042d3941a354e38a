// Default images of the steps Keelson implements. The builder is pinned by digest; the others by tag, which an
// operator should replace with a digest through `BuildSettings.images`.
import type { ToolImages } from './compile-input.types';

export const DEFAULT_TOOL_IMAGES: ToolImages = {
  agent: 'jenkins/inbound-agent:3345.v03dee9b_f88fc-1',
  builder:
    'moby/buildkit:v0.33.0-rootless@sha256:80b15f0735e87bab7bf59ec4d695dfb4a7cfb25521cf56dc75d6f256285b63ef',
  tools: 'alpine/k8s:1.34.1',
};
