/**
 * @module
 * How pod traffic crosses from one node to another, per mode, as the CNI it imitates sets it
 * up (docs/0005-multi-node.md):
 *
 * - routed (Calico BGP, kindnet): a route per peer node's pod CIDR via that node's address;
 * - vxlan (Flannel's vxlan backend): the kernel's VXLAN device `flannel.1` (VNI 1, UDP 4789,
 *   no learning), the node's address 10.244.n.0/32 on it, and per peer a route via the peer's
 *   10.244.m.0 on-link, a permanent neighbour entry for that address (the peer VTEP's MAC)
 *   and a forwarding-database entry sending that MAC to the peer node;
 * - ipip (Calico's IPIP mode): `tunl0`, a route per peer pod CIDR via the peer node on-link;
 * - geneve (Cilium's tunnel mode): `cilium_geneve`, routed the same way.
 *
 * ipip and geneve are carried by flatnet's tunnel agent (native/tunnel.c) on a TUN device:
 * many kernels — this project's CI among them — have no ipip or geneve driver, and one code
 * path everywhere is one that is tested. The packets on the underlay are real IP-in-IP
 * (protocol 4) and real Geneve (UDP 6081), the same bytes the kernel's drivers send.
 */
import type { NodePlan, PodNetworkMode } from './topology.ts';

export const VXLAN = { device: 'flannel.1', vni: 1, port: 4789 } as const;
export const IPIP_DEVICE = 'tunl0';
export const GENEVE = { device: 'cilium_geneve', port: 6081 } as const;

export interface OverlaySetup {
  /** Shell run on the node once, after its eth0 is up. */
  script: string;
  /** The tunnel agent's arguments (after the program), for the modes that need one: started after `script`. */
  agent?: string[];
  /** Shell run once the agent holds the device (a TUN device has no carrier before). */
  routes?: string;
}

/** A peer VTEP's MAC, derived from its node index (Flannel publishes a random one in a Node annotation). */
export const vtepMac = (n: NodePlan): string => `0e:fa:0a:f4:${n.index.toString(16).padStart(2, '0')}:00`;

/** The node's own address in its pod CIDR (10.244.n.0), which the tunnel device carries. */
export const tunnelAddress = (n: NodePlan): string => n.podCIDR.replace(/\/\d+$/, '');

export function overlaySetup(mode: PodNetworkMode, self: NodePlan, all: readonly NodePlan[], mtu: number): OverlaySetup {
  const peers = all.filter((n) => n.index !== self.index);
  const lines = ['set -e'];
  switch (mode) {
    case 'routed':
      for (const p of peers) lines.push(`ip route add ${p.podCIDR} via ${p.ip} dev eth0`);
      return { script: lines.join('\n') };
    case 'vxlan': {
      const dev = VXLAN.device;
      lines.push(
        `ip link add ${dev} type vxlan id ${VXLAN.vni} local ${self.ip} dev eth0 dstport ${VXLAN.port} nolearning`,
        `ip link set ${dev} address ${vtepMac(self)} mtu ${mtu} up`,
        `ip addr add ${tunnelAddress(self)}/32 dev ${dev}`,
      );
      for (const p of peers) {
        lines.push(
          `ip neigh add ${tunnelAddress(p)} lladdr ${vtepMac(p)} dev ${dev} nud permanent`,
          `bridge fdb append ${vtepMac(p)} dev ${dev} dst ${p.ip}`,
          `ip route add ${p.podCIDR} via ${tunnelAddress(p)} dev ${dev} onlink`,
        );
      }
      return { script: lines.join('\n') };
    }
    case 'ipip':
    case 'geneve': {
      const dev = mode === 'ipip' ? IPIP_DEVICE : GENEVE.device;
      lines.push(`ip tuntap add dev ${dev} mode tun`, `ip link set ${dev} mtu ${mtu} up`, `ip addr add ${tunnelAddress(self)}/32 dev ${dev}`);
      const routes = ['set -e', ...peers.map((p) => `ip route add ${p.podCIDR} via ${p.ip} dev ${dev} onlink`)];
      return { script: lines.join('\n'), agent: [mode, dev, self.ip, ...peers.map((p) => `${p.podCIDR}=${p.ip}`)], routes: routes.join('\n') };
    }
  }
}
