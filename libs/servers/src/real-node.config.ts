// The configuration files of the real node: containerd 1.6 (Debian) for one kubelet, the isolated pod network,
// and the kubelet itself. Every path lives under the node's directory except the few that containerd and kubelet
// hard-code (see real-node.host.ts). Why each setting: ../shared/reference/real-node.md, §3 and §4.
import { join } from 'node:path';

export interface RealNodePaths {
  dir: string;
  socket: string;
  containerdConfig: string;
  cniBin: string;
  cniConf: string;
  kubeletRoot: string;
  kubeletConfig: string;
  podLogs: string;
  logs: string;
}

export function realNodePaths(dir: string): RealNodePaths {
  return {
    dir,
    socket: join(dir, 'containerd.sock'),
    containerdConfig: join(dir, 'containerd', 'config.toml'),
    cniBin: join(dir, 'cni', 'bin'),
    cniConf: join(dir, 'cni', 'net.d'),
    kubeletRoot: join(dir, 'kubelet'),
    kubeletConfig: join(dir, 'kubelet-config.yaml'),
    podLogs: join(dir, 'pod-logs'),
    logs: join(dir, 'logs'),
  };
}

/** The pause image every pod sandbox runs; imported with the others, never pulled. */
export const SANDBOX_IMAGE = 'localhost/keelson/pause:1';

export function containerdConfig(p: RealNodePaths, runc: string): string {
  const q = JSON.stringify;
  return `version = 2
root = ${q(join(p.dir, 'containerd', 'root'))}
state = ${q(join(p.dir, 'containerd', 'state'))}
# No negative oom score: the sandbox lacks CAP_SYS_RESOURCE.
oom_score = 0

[grpc]
  address = ${q(p.socket)}

[ttrpc]
  address = ${q(`${p.socket}.ttrpc`)}

[debug]
  address = ""
  level = "info"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(p.dir, 'containerd', 'opt'))}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(SANDBOX_IMAGE)}
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  # CRI asks -998 for the pause container, which runc cannot write without CAP_SYS_RESOURCE.
  restrict_oom_score_adj = true
  max_container_log_line_size = 16384
  netns_mounts_under_state_dir = true

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    discard_unpacked_layers = false

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = ${q(runc)}
        Root = ${q(join(p.dir, 'runc'))}
        SystemdCgroup = false

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${q(p.cniBin)}
    conf_dir = ${q(p.cniConf)}
    max_conf_num = 1

  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = ""
`;
}

/** The isolated network: each pod's eth0 is a veth pair kept inside its own namespace; the host's is untouched. */
export function cniConflist(p: RealNodePaths): string {
  return JSON.stringify({
    cniVersion: '0.4.0',
    name: 'keelson-isolated',
    plugins: [{ type: 'isolated', ipam: { type: 'host-local', ranges: [[{ subnet: '10.244.0.0/24' }]], dataDir: join(p.dir, 'cni', 'ipam') } }],
  }, null, 2);
}

export interface KubeletPorts {
  port: number;
  healthzPort: number;
}

export function kubeletConfig(p: RealNodePaths, ports: KubeletPorts): string {
  return JSON.stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // Loopback only; only the local apiserver reaches it, so anonymous callers are trusted.
    address: '127.0.0.1',
    port: ports.port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: ports.healthzPort,
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
    authorization: { mode: 'AlwaysAllow' },
    containerRuntimeEndpoint: `unix://${p.socket}`,
    cgroupDriver: 'cgroupfs',
    cgroupsPerQOS: true,
    enforceNodeAllocatable: ['pods'],
    failSwapOn: false,
    failCgroupV1: false,
    // Else kubelet adds KUBE-FIREWALL rules to the host's INPUT and OUTPUT chains.
    makeIPTablesUtilChains: false,
    // true makes kubelet refuse to start; false lets it set three sysctls, which stop() puts back.
    protectKernelDefaults: false,
    // The host's resolver is not on loopback: pods get no DNS.
    resolvConf: '',
    clusterDomain: 'cluster.local',
    podLogsDir: p.podLogs,
    volumePluginDir: join(p.dir, 'volume-plugins'),
    shutdownGracePeriod: '0s',
    serializeImagePulls: false,
    registerNode: true,
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '2%', 'imagefs.available': '2%', 'nodefs.inodesFree': '2%' },
    // The imported images cannot be pulled again: never collect them.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
  }, null, 2);
}
