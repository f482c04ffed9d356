/*
 * flatnet's tunnel agent: the overlay encapsulations this kernel has no driver for (no ipip,
 * no geneve module; it does have VXLAN and TUN), done in userspace over a TUN device, as
 * flannel's old `udp` backend did. The packets on the wire are the real thing, byte for byte,
 * so `tcpdump` on the node's underlay decodes them as IP-in-IP and Geneve.
 *
 *   tunnel ipip|geneve DEV LOCAL_IP [CIDR=NODE_IP ...]
 *       e.g. tunnel ipip tunl0 172.18.0.2 10.244.1.0/24=172.18.0.3 10.244.2.0/24=172.18.0.4
 *
 *   DEV is an existing persistent TUN device (`ip tuntap add dev DEV mode tun`); the caller
 *   sets its MTU, addresses and routes and brings it up. This process only attaches to it
 *   (TUNSETIFF, IFF_TUN | IFF_NO_PI) and moves packets:
 *
 *   ipip    a raw IPPROTO_IPIP socket bound to LOCAL_IP. tun -> the inner packet is sent to
 *           the peer whose CIDR holds its destination (longest prefix); the kernel adds the
 *           outer IPv4 header (protocol 4, source LOCAL_IP). socket -> from a known peer
 *           only, the outer header is stripped and the inner packet written to DEV.
 *           IPv4 inner packets only (IPv6 in IPv4 would be protocol 41, not IP-in-IP).
 *   geneve  a UDP socket on LOCAL_IP:6081 (RFC 8926). tun -> Geneve header (version 0, no
 *           options, VNI 1, protocol 0x6558 Transparent Ethernet Bridging) + an Ethernet
 *           header (0a:58 + the node's IPv4 address as MACs, as the Linux geneve device would
 *           carry a bridged frame) + the inner packet, to peer:6081 from port 6081 with a zero
 *           UDP checksum. socket -> version 0, options skipped, control (O) packets and
 *           critical (C) options dropped; inner Ethernet (0x6558, IPv4/IPv6 ethertype) or
 *           bare IP (0x0800/0x86DD) to DEV. IPv6 pod CIDRs work here (IPv4 underlay only).
 *
 *   MTU for callers, on a 1500-byte underlay: ipip 1480 (20 outer IPv4); geneve 1450
 *   (20 IPv4 + 8 UDP + 8 Geneve + 14 Ethernet). Larger inner packets are never read from
 *   DEV (the kernel fragments them, or answers "fragmentation needed", before DEV).
 *
 *   Packets with no peer, from unknown senders, or that do not parse are dropped and
 *   counted; the counts go to stderr on SIGUSR1 and at exit. SIGTERM/SIGINT exit 0. A setup
 *   failure prints one line (`tunnel: TUNSETIFF tunl0: Operation not permitted`) and exits 1;
 *   bad arguments exit 2. Needs CAP_NET_ADMIN and CAP_NET_RAW in the user namespace that owns
 *   the network namespace, so it runs the same as root and inside `unshare -Urn`.
 *
 * Built on first use with the host's C compiler (see build.ts); pure POSIX + Linux TUN.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define GENEVE_PORT 6081
#define GENEVE_VNI 1
#define ETH_P_TEB 0x6558
#define ETH_P_IP4 0x0800
#define ETH_P_IP6 0x86DD
#define GENEVE_HLEN 8
#define ETH_HLEN 14
#define HEADROOM (GENEVE_HLEN + ETH_HLEN)
#define MAX_PEERS 1024
#define BATCH 64 /* packets per wakeup from one side, so the other side is never starved */

/* A route to a node: inner destinations in net/len go to node. IPv4 or IPv6 prefixes. */
struct peer {
  int family;
  unsigned char net[16];
  int len;
  struct in_addr node;
};

static struct peer peers[MAX_PEERS];
static int npeers;
static int geneve;
static struct in_addr local;
static const char *dev;

/* What happened to packets: printed on SIGUSR1 and at exit, never per packet. */
static struct {
  unsigned long encap, decap, no_peer, unknown_sender, malformed, tx_errors;
} count;

static volatile sig_atomic_t stop, report;
static void on_signal(int sig) {
  if (sig == SIGUSR1) report = 1;
  else stop = 1;
}

static void print_counts(void) {
  fprintf(stderr, "tunnel: %s %s: %lu encapsulated, %lu decapsulated, dropped %lu with no peer, %lu from unknown senders, %lu malformed; %lu send errors\n",
          geneve ? "geneve" : "ipip", dev, count.encap, count.decap, count.no_peer, count.unknown_sender, count.malformed, count.tx_errors);
}

static void die(const char *what, const char *arg) {
  fprintf(stderr, "tunnel: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "", strerror(errno));
  exit(1);
}

static void usage(const char *why, const char *arg) __attribute__((noreturn));
static void usage(const char *why, const char *arg) {
  if (why) fprintf(stderr, "tunnel: %s%s%s\n", why, arg ? ": " : "", arg ? arg : "");
  fprintf(stderr, "usage: tunnel ipip|geneve DEV LOCAL_IP [CIDR=NODE_IP ...]\n");
  exit(2);
}

/* "10.244.1.0/24=172.18.0.3" (no /len: one address). Host bits are cleared, as routes do. */
static void parse_peer(char *arg) {
  char *eq = strchr(arg, '=');
  if (!eq || npeers == MAX_PEERS) usage(eq ? "too many peers" : "a peer is CIDR=NODE_IP", arg);
  *eq = 0;
  struct peer *p = &peers[npeers];
  if (inet_pton(AF_INET, eq + 1, &p->node) != 1) { *eq = '='; usage("not an IPv4 node address", arg); }
  char *slash = strchr(arg, '/');
  if (slash) *slash = 0;
  p->family = strchr(arg, ':') ? AF_INET6 : AF_INET;
  int bits = p->family == AF_INET ? 32 : 128;
  char *end = NULL;
  long len = slash ? strtol(slash + 1, &end, 10) : bits;
  if (inet_pton(p->family, arg, p->net) != 1 || (slash && (end == slash + 1 || *end || len < 0 || len > bits))) {
    if (slash) *slash = '/';
    *eq = '=';
    usage("not a CIDR", arg);
  }
  p->len = (int)len;
  for (int i = 0; i < bits / 8; i++) {
    int keep = p->len - i * 8;
    p->net[i] &= keep >= 8 ? 0xff : keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
  }
  npeers++;
}

/* The node for an inner destination address, longest prefix first; NULL when none. */
static const struct peer *route(int family, const unsigned char *dst) {
  const struct peer *best = NULL;
  for (int i = 0; i < npeers; i++) {
    const struct peer *p = &peers[i];
    if (p->family != family || (best && best->len >= p->len)) continue;
    int whole = p->len / 8, rest = p->len % 8;
    if (memcmp(p->net, dst, whole)) continue;
    if (rest && (dst[whole] & (0xff << (8 - rest)) & 0xff) != p->net[whole]) continue;
    best = p;
  }
  return best;
}

static int known_node(struct in_addr a) {
  for (int i = 0; i < npeers; i++)
    if (peers[i].node.s_addr == a.s_addr) return 1;
  return 0;
}

/*
 * The length of the IP packet at pkt (at most n), or 0 when it is not one. Trims link-layer
 * padding (an Ethernet frame is at least 60 bytes), which a TUN write would otherwise keep.
 */
static size_t ip_length(const unsigned char *pkt, size_t n) {
  size_t total;
  if (n >= 20 && pkt[0] >> 4 == 4 && (pkt[0] & 15) >= 5) total = (size_t)pkt[2] << 8 | pkt[3];
  else if (n >= 40 && pkt[0] >> 4 == 6) total = 40 + ((size_t)pkt[4] << 8 | pkt[5]);
  else return 0;
  if (total > n || total < 20) return 0;
  return total;
}

/* A stable, locally administered unicast MAC for a node: 0a:58 and its IPv4 address (as ovn-kubernetes does for pods). */
static void node_mac(unsigned char *mac, struct in_addr a) {
  mac[0] = 0x0a;
  mac[1] = 0x58;
  memcpy(mac + 2, &a.s_addr, 4);
}

static int attach_tun(const char *name) {
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) die("open", "/dev/net/tun");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  if (strlen(name) >= IFNAMSIZ) { errno = ENAMETOOLONG; die("TUNSETIFF", name); }
  /* TUNSETIFF would create a missing device (gone again when we exit): the caller's is wanted. */
  if (!if_nametoindex(name)) die("no TUN device", name);
  strcpy(ifr.ifr_name, name);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) die("TUNSETIFF", name);
  return fd;
}

static int open_socket(void) {
  int fd = geneve ? socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)
                  : socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_IPIP);
  if (fd < 0) die("socket", geneve ? "UDP" : "raw IPPROTO_IPIP");
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr = local, .sin_port = geneve ? htons(GENEVE_PORT) : 0};
  char where[INET_ADDRSTRLEN + 8];
  inet_ntop(AF_INET, &local, where, INET_ADDRSTRLEN);
  if (geneve) strcat(where, ":6081");
  /* Another agent on the same address would split the traffic between them: refuse it. */
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) die("bind", where);
  /*
   * Geneve over IPv4 with a zero UDP checksum (RFC 8926 3.3 allows it; the inner packet has
   * its own), as the Linux geneve and vxlan devices send by default. Also keeps tcpdump on
   * the sending node from calling every packet "bad udp cksum" (the checksum would be left
   * to an offload that a veth never does).
   */
  int one = 1;
  if (geneve) setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, &one, sizeof one);
  /* A big receive buffer rides out bursts while the TUN side is busy (best effort). */
  int size = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  return fd;
}

/* One packet read from DEV (at buf + HEADROOM, n bytes) out to its peer node. */
static void encapsulate(int sock, unsigned char *buf, size_t n) {
  unsigned char *pkt = buf + HEADROOM;
  size_t len = ip_length(pkt, n);
  if (!len) { count.malformed++; return; }
  int v6 = pkt[0] >> 4 == 6;
  const struct peer *p = route(v6 ? AF_INET6 : AF_INET, v6 ? pkt + 24 : pkt + 16);
  if (!p || (v6 && !geneve)) { count.no_peer++; return; }
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = p->node, .sin_port = geneve ? htons(GENEVE_PORT) : 0};
  unsigned char *out = pkt;
  if (geneve) {
    out = buf;
    unsigned char *g = buf, *eth = buf + GENEVE_HLEN;
    g[0] = 0;                          /* version 0, no options */
    g[1] = 0;                          /* not a control packet, no critical options */
    g[2] = ETH_P_TEB >> 8;
    g[3] = ETH_P_TEB & 0xff;
    g[4] = (GENEVE_VNI >> 16) & 0xff;  /* 24-bit VNI, then a reserved byte */
    g[5] = (GENEVE_VNI >> 8) & 0xff;
    g[6] = GENEVE_VNI & 0xff;
    g[7] = 0;
    node_mac(eth, p->node);            /* destination */
    node_mac(eth + 6, local);          /* source */
    eth[12] = v6 ? ETH_P_IP6 >> 8 : ETH_P_IP4 >> 8;
    eth[13] = v6 ? ETH_P_IP6 & 0xff : ETH_P_IP4 & 0xff;
    len += HEADROOM;
  }
  if (sendto(sock, out, len, 0, (struct sockaddr *)&to, sizeof to) < 0) count.tx_errors++;
  else count.encap++;
}

/* One datagram from the underlay (n bytes at buf, from `from`) into DEV. */
static void decapsulate(int tun, unsigned char *buf, size_t n, struct in_addr from) {
  if (!known_node(from)) { count.unknown_sender++; return; }
  unsigned char *inner;
  size_t left;
  if (geneve) {
    if (n < GENEVE_HLEN || buf[0] >> 6 != 0 || buf[1] & 0xc0) { count.malformed++; return; }
    size_t hlen = GENEVE_HLEN + (size_t)(buf[0] & 0x3f) * 4;
    unsigned proto = (unsigned)buf[2] << 8 | buf[3];
    unsigned vni = (unsigned)buf[4] << 16 | (unsigned)buf[5] << 8 | buf[6];
    if (n < hlen || vni != GENEVE_VNI) { count.malformed++; return; }
    inner = buf + hlen;
    left = n - hlen;
    if (proto == ETH_P_TEB) {
      if (left < ETH_HLEN) { count.malformed++; return; }
      proto = (unsigned)inner[12] << 8 | inner[13];
      inner += ETH_HLEN;
      left -= ETH_HLEN;
    }
    if (proto != ETH_P_IP4 && proto != ETH_P_IP6) { count.malformed++; return; }
  } else {
    /* A raw socket hands over the outer IPv4 header too. */
    if (n < 20 || buf[0] >> 4 != 4 || (size_t)(buf[0] & 15) * 4 > n) { count.malformed++; return; }
    inner = buf + (buf[0] & 15) * 4;
    left = n - (size_t)(buf[0] & 15) * 4;
    if (left && inner[0] >> 4 != 4) { count.malformed++; return; }
  }
  size_t len = ip_length(inner, left);
  if (!len) { count.malformed++; return; }
  if (write(tun, inner, len) < 0) count.tx_errors++; /* e.g. DEV is down */
  else count.decap++;
}

int main(int argc, char **argv) {
  if (argc < 4) usage(NULL, NULL);
  if (!strcmp(argv[1], "geneve")) geneve = 1;
  else if (strcmp(argv[1], "ipip")) usage("unknown mode (ipip or geneve)", argv[1]);
  dev = argv[2];
  if (inet_pton(AF_INET, argv[3], &local) != 1) usage("not an IPv4 local address", argv[3]);
  for (int i = 4; i < argc; i++) parse_peer(argv[i]);

  /* Signals are blocked except while waiting in ppoll, so a SIGTERM is never missed between checks. */
  sigset_t blocked, waiting;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGUSR1);
  sigprocmask(SIG_BLOCK, &blocked, &waiting);
  sigdelset(&waiting, SIGTERM);
  sigdelset(&waiting, SIGINT);
  sigdelset(&waiting, SIGUSR1);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  /* The socket first: once DEV has carrier (we are attached), packets from peers are taken. */
  int sock = open_socket();
  int tun = attach_tun(dev);

  /* 64 kB: the largest IP packet, whatever MTU the caller picks; HEADROOM for Geneve's headers. */
  static unsigned char buf[HEADROOM + 65536];
  struct pollfd fds[2] = {{.fd = tun, .events = POLLIN}, {.fd = sock, .events = POLLIN}};
  while (!stop) {
    if (report) { report = 0; print_counts(); }
    if (ppoll(fds, 2, NULL, &waiting) < 0) {
      if (errno == EINTR) continue;
      die("poll", NULL);
    }
    if (fds[0].revents) {
      for (int i = 0; i < BATCH; i++) {
        ssize_t n = read(tun, buf + HEADROOM, sizeof buf - HEADROOM);
        if (n >= 0) { encapsulate(sock, buf, (size_t)n); continue; }
        if (errno == EAGAIN || errno == EINTR) break;
        /* EBADFD: the device was deleted under us; nothing more will come. */
        die("read", dev);
      }
    }
    if (fds[1].revents) {
      for (int i = 0; i < BATCH; i++) {
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(sock, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
        if (n >= 0) { decapsulate(tun, buf, (size_t)n, from.sin_addr); continue; }
        if (errno == EAGAIN || errno == EINTR) break;
        /* An ICMP error queued on the socket (a peer unreachable): reading clears it. */
        count.tx_errors++;
      }
    }
  }
  print_counts();
  return 0;
}
