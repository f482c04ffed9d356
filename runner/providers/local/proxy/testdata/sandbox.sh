#!/bin/bash
# A throwaway node for the proxy integration test, run as PID 1 of
#   unshare --net --mount --pid --fork --mount-proc --propagation private bash sandbox.sh
# It is the node of docs/0001-local-cluster.md in miniature: pods are network namespaces
# wired by the CNI ptp plugin, so all pod traffic is routed through this (the node's) netns.
# Prints "ready POD=IP ..." and then holds until stdin closes. When this script exits the
# kernel kills every process in the PID namespace, and the namespaces, veths, routes and
# rules go with them.
set -euo pipefail

# A private /run: pod netns mounts (/run/netns), IPAM leases and web roots live on this
# tmpfs, so nothing is written to the host and nothing outlives the sandbox.
mount -t tmpfs flatnet-proxy-test /run
mkdir -p /run/netns /run/test/ipam

# The node: loopback, and an eth0 with an address of its own (the node IP) and a default
# route, as a real node has. Without a route, a packet to the cluster IP of a Service with
# no endpoints is unroutable before the filter table can REJECT it. The "uplink" at the
# other end is one more namespace in this sandbox that forwards nothing.
ip link set lo up
ip netns add uplink
ip link add eth0 type veth peer name eth0 netns uplink
ip -n uplink addr add 10.0.0.1/24 dev eth0
ip -n uplink link set eth0 up
ip addr add 10.0.0.10/24 dev eth0
ip link set eth0 up
ip route add default via 10.0.0.1 dev eth0
sysctl -qw net.ipv4.ip_forward=1

conf='{"cniVersion":"1.0.0","name":"proxy-test","type":"ptp","ipMasq":false,
  "ipam":{"type":"host-local","subnet":"10.244.0.0/24","routes":[{"dst":"0.0.0.0/0"}],"dataDir":"/run/test/ipam"}}'
pods=()
for pod in backend-a backend-b client; do
  ip netns add "$pod"
  # The CNI spec: the command in the environment, the network config on stdin.
  CNI_COMMAND=ADD CNI_CONTAINERID="$pod" CNI_NETNS="/run/netns/$pod" CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \
    /usr/lib/cni/ptp <<<"$conf" >/dev/null
  ip=$(ip -n "$pod" -4 -o addr show dev eth0 | awk '{ split($4, a, "/"); print a[1] }')
  pods+=("$pod=$ip")
done

# Each backend serves its own name, so the client can tell which one answered.
for entry in "${pods[@]:0:2}"; do
  pod=${entry%=*}
  mkdir -p "/run/test/www/$pod"
  echo "$pod" >"/run/test/www/$pod/index.html"
  ip netns exec "$pod" busybox httpd -f -p 8080 -h "/run/test/www/$pod" &
done
for entry in "${pods[@]:0:2}"; do
  for _ in $(seq 50); do
    curl -sf -o /dev/null --max-time 1 "http://${entry#*=}:8080/" && break
    sleep 0.1
  done
done

echo "ready ${pods[*]}"
read -r _ || true
