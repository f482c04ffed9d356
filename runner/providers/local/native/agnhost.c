/*
 * flatnet's agnhost: the two jobs upstream's agnhost test image does for NetworkPolicy
 * tests, in one small static binary so a pod costs ~100 kB and a probe no process start.
 *
 *   agnhost serve [PORT/PROTO ...] [--http-port=N] [--udp-port=N] [--port=N]
 *   agnhost netexec|porter|serve-hostname ...     (the same, with upstream's flags)
 *       Serves every port (and FLATNET_PORTS) from one process. TCP: an HTTP request gets
 *       "200 OK" with the hostname, anything else the hostname. UDP: every datagram gets
 *       the hostname back at once (no fork, so a busy node never makes a reply late).
 *
 *   agnhost probe TIMEOUT_MS < "ID PROTO ADDRESS PORT" lines
 *       Probes every line at the same time and prints "ID CODE" per line, with curl's
 *       codes: 0 connected / answered, 7 refused (the packet got through), 28 timed out
 *       (dropped), 1 anything else. UDP port 53 gets a real DNS query.
 *
 *   agnhost connect HOST:PORT [--timeout=1s] [--protocol=tcp|udp]
 *       Upstream's `connect`, as the netpol e2e tests (and the kind provider's probes) call it:
 *       exit 0 when connected (UDP: answered), else exit 1 with TIMEOUT, REFUSED, DNS or
 *       OTHER on stderr. HOST is an IP address ([v6]:port for IPv6).
 *
 * Built on first use with the host's C compiler (see rootfs.ts); pure POSIX + epoll.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX 4096

static char host[256];

static long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

/* An address in either family; port in host order. */
static int sockaddr_of(const char *ip, int port, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons(port);
    *len = sizeof *a4;
    return AF_INET;
  }
  if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(port);
    *len = sizeof *a6;
    return AF_INET6;
  }
  return -1;
}

/* ---------- serve ---------- */

struct conn { int fd; long deadline; int listener; int udp; int replied; size_t len; char req[1024]; };
static struct conn conns[MAX];

static int listen_on(int port, int udp) {
  int fd = socket(AF_INET6, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
  int v6only = 0, one = 1;
  if (fd < 0) return -1;
  setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in6 a = {0};
  a.sin6_family = AF_INET6;
  a.sin6_port = htons(port);
  a.sin6_addr = in6addr_any;
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || (!udp && listen(fd, 128) < 0)) {
    fprintf(stderr, "agnhost: cannot serve %d/%s: %s\n", port, udp ? "UDP" : "TCP", strerror(errno));
    close(fd);
    return -1;
  }
  nonblock(fd);
  return fd;
}

static void reply_tcp(int fd, const char *req, ssize_t n) {
  char out[512];
  int len;
  if (n > 4 && (!strncmp(req, "GET ", 4) || !strncmp(req, "HEAD ", 5) || !strncmp(req, "POST ", 5) || !strncmp(req, "PUT ", 4)))
    len = snprintf(out, sizeof out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s\n", strlen(host) + 1, host);
  else
    len = snprintf(out, sizeof out, "%s\n", host);
  if (write(fd, out, len) < 0) { /* the client left: nothing to do */ }
}

static void add_port(int *ports, int *udp, int *n, int port, int is_udp) {
  for (int i = 0; i < *n; i++) if (ports[i] == port && udp[i] == is_udp) return;
  if (*n < 64 && port > 0 && port < 65536) { ports[*n] = port; udp[*n] = is_udp; (*n)++; }
}

static void parse_port(const char *a, int *ports, int *udp, int *n) {
  const char *slash = strchr(a, '/');
  if (!strncmp(a, "--http-port=", 12) || !strncmp(a, "--port=", 7)) add_port(ports, udp, n, atoi(strchr(a, '=') + 1), 0);
  else if (!strncmp(a, "--udp-port=", 11)) add_port(ports, udp, n, atoi(a + 11), 1);
  else if (slash && !strcmp(slash, "/TCP")) add_port(ports, udp, n, atoi(a), 0);
  else if (slash && !strcmp(slash, "/UDP")) add_port(ports, udp, n, atoi(a), 1);
  else if (slash && !strcmp(slash, "/SCTP")) fprintf(stderr, "agnhost: SCTP port %d not served: this kernel has no SCTP\n", atoi(a));
}

static void serve(int argc, char **argv) __attribute__((noreturn));
static void serve(int argc, char **argv) {
  int ports[64], udp[64], n = 0;
  for (int i = 1; i < argc; i++) parse_port(argv[i], ports, udp, &n);
  char *env = getenv("FLATNET_PORTS");
  if (env) {
    char *copy = strdup(env), *save = NULL;
    for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) parse_port(t, ports, udp, &n);
  }
  int ep = epoll_create1(0);
  printf("serving:");
  for (int i = 0; i < n; i++) {
    int fd = listen_on(ports[i], udp[i]);
    if (fd < 0 || fd >= MAX) continue;
    conns[fd] = (struct conn){.fd = fd, .listener = 1, .udp = udp[i]};
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    printf(" %d/%s", ports[i], udp[i] ? "UDP" : "TCP");
  }
  printf("\n");
  fflush(stdout);
  for (;;) {
    struct epoll_event evs[64];
    int k = epoll_wait(ep, evs, 64, 100);
    long t = now_ms();
    for (int i = 0; i < k; i++) {
      int fd = evs[i].data.fd;
      struct conn *c = &conns[fd];
      char buf[2048];
      if (c->listener && c->udp) {
        struct sockaddr_storage from;
        socklen_t fl = sizeof from;
        ssize_t r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
        if (r >= 0) {
          char out[300];
          int len = snprintf(out, sizeof out, "%s\n", host);
          sendto(fd, out, len, 0, (struct sockaddr *)&from, fl);
        }
      } else if (c->listener) {
        int cfd;
        while ((cfd = accept(fd, NULL, NULL)) >= 0) {
          if (cfd >= MAX) { close(cfd); continue; }
          nonblock(cfd);
          conns[cfd] = (struct conn){.fd = cfd, .deadline = t + 200};
          struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = cfd};
          epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
        }
      } else {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r <= 0) {
          /* The client is done (or gone): answer if we have not, then close. */
          if (!c->replied) reply_tcp(fd, c->req, (ssize_t)c->len);
          close(fd);
          c->fd = 0;
          continue;
        }
        if (c->replied) continue; /* draining what the client still sends, so close() does not reset */
        size_t n = (size_t)r < sizeof c->req - c->len - 1 ? (size_t)r : sizeof c->req - c->len - 1;
        memcpy(c->req + c->len, buf, n);
        c->len += n;
        c->req[c->len] = 0;
        /* Answer once an HTTP request's headers are complete, or at once for anything else. */
        int http = !strncmp(c->req, "GET ", 4) || !strncmp(c->req, "HEAD ", 5) || !strncmp(c->req, "POST ", 5) || !strncmp(c->req, "PUT ", 4);
        if (!http || strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n") || c->len >= sizeof c->req - 1) {
          reply_tcp(fd, c->req, (ssize_t)c->len);
          c->replied = 1;
          shutdown(fd, SHUT_WR);
          c->deadline = t + 1000;
        }
      }
    }
    /* A client that connects and sends nothing (a plain connect probe) still gets the hostname. */
    for (int fd = 0; fd < MAX; fd++) {
      struct conn *c = &conns[fd];
      if (c->fd && !c->listener && c->deadline && c->deadline <= t) {
        if (!c->replied) reply_tcp(fd, c->req, (ssize_t)c->len);
        close(fd);
        c->fd = 0;
      }
    }
  }
}

/* ---------- probe ---------- */

struct probe { char id[32]; int udp; int port; int fd; int code; int done; };

/* A DNS query for kubernetes.default.svc.cluster.local A: any reply means the server was reached. */
static const unsigned char DNS_QUERY[] = {
  0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
  10, 'k', 'u', 'b', 'e', 'r', 'n', 'e', 't', 'e', 's', 7, 'd', 'e', 'f', 'a', 'u', 'l', 't',
  3, 's', 'v', 'c', 7, 'c', 'l', 'u', 's', 't', 'e', 'r', 5, 'l', 'o', 'c', 'a', 'l', 0, 0, 1, 0, 1,
};

static int probe(int argc, char **argv) {
  int timeout = argc > 2 ? atoi(argv[2]) : 1000;
  static struct probe ps[MAX];
  int n = 0;
  char line[256];
  int ep = epoll_create1(0);
  while (n < MAX && fgets(line, sizeof line, stdin)) {
    char proto[8], ip[64];
    struct probe *p = &ps[n];
    if (sscanf(line, "%31s %7s %63s %d", p->id, proto, ip, &p->port) != 4) continue;
    p->udp = !strcmp(proto, "UDP");
    struct sockaddr_storage ss;
    socklen_t len;
    int fam = sockaddr_of(ip, p->port, &ss, &len);
    p->code = 1;
    if (fam < 0 || (p->fd = socket(fam, p->udp ? SOCK_DGRAM : SOCK_STREAM, 0)) < 0) { p->done = 1; n++; continue; }
    nonblock(p->fd);
    int r = connect(p->fd, (struct sockaddr *)&ss, len);
    if (r < 0 && errno != EINPROGRESS) { p->code = errno == ECONNREFUSED ? 7 : 1; p->done = 1; close(p->fd); n++; continue; }
    if (p->udp) {
      if (p->port == 53) send(p->fd, DNS_QUERY, sizeof DNS_QUERY, 0);
      else send(p->fd, "flatnet-probe\n", 14, 0);
    }
    struct epoll_event ev = {.events = p->udp ? EPOLLIN : EPOLLOUT, .data.u32 = (unsigned)n};
    epoll_ctl(ep, EPOLL_CTL_ADD, p->fd, &ev);
    n++;
  }
  long end = now_ms() + timeout;
  int pending = 0;
  for (int i = 0; i < n; i++) pending += !ps[i].done;
  while (pending > 0) {
    long left = end - now_ms();
    if (left <= 0) break;
    struct epoll_event evs[64];
    int k = epoll_wait(ep, evs, 64, (int)left);
    for (int i = 0; i < k; i++) {
      struct probe *p = &ps[evs[i].data.u32];
      if (p->done) continue;
      int err = 0;
      socklen_t el = sizeof err;
      getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &el);
      if (p->udp) {
        char buf[600];
        ssize_t r = recv(p->fd, buf, sizeof buf, 0);
        p->code = r >= 0 ? 0 : (errno == ECONNREFUSED || err == ECONNREFUSED) ? 7 : 1;
      } else {
        p->code = err == 0 ? 0 : err == ECONNREFUSED ? 7 : err == ETIMEDOUT ? 28 : 1;
      }
      p->done = 1;
      pending--;
      epoll_ctl(ep, EPOLL_CTL_DEL, p->fd, NULL);
      close(p->fd);
    }
  }
  for (int i = 0; i < n; i++) printf("%s %d\n", ps[i].id, ps[i].done ? ps[i].code : 28);
  return 0;
}

/* ---------- connect (upstream's, for kubectl exec probes) ---------- */

/* Go durations as the e2e tests write them: 1s, 500ms, 2m; 0 or none means no limit (capped at 60 s). */
static int duration_ms(const char *d) {
  char *end;
  double v = strtod(d, &end);
  if (!strcmp(end, "ms")) return (int)v;
  if (!strcmp(end, "m")) return (int)(v * 60000);
  return (int)(v * 1000);
}

static int connect_cmd(int argc, char **argv) {
  const char *dest = NULL, *proto = "tcp";
  int timeout = 0;
  for (int i = 2; i < argc; i++) {
    if (!strncmp(argv[i], "--timeout=", 10)) timeout = duration_ms(argv[i] + 10);
    else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) timeout = duration_ms(argv[++i]);
    else if (!strncmp(argv[i], "--protocol=", 11)) proto = argv[i] + 11;
    else if (!strcmp(argv[i], "--protocol") && i + 1 < argc) proto = argv[++i];
    else if (argv[i][0] != '-') dest = argv[i];
  }
  if (timeout <= 0 || timeout > 60000) timeout = 60000;
  int udp = !strcmp(proto, "udp");
  if (!dest || (!udp && strcmp(proto, "tcp"))) { fprintf(stderr, "UNKNOWN: usage: agnhost connect HOST:PORT [--timeout=1s] [--protocol=tcp|udp]\n"); return 1; }
  char ip[64];
  const char *colon = strrchr(dest, ':');
  size_t n = colon ? (size_t)(colon - dest) : 0;
  if (!colon || n == 0 || n >= sizeof ip) { fprintf(stderr, "UNKNOWN: address %s: missing port in address\n", dest); return 1; }
  if (dest[0] == '[' && dest[n - 1] == ']') { memcpy(ip, dest + 1, n - 2); ip[n - 2] = 0; }
  else { memcpy(ip, dest, n); ip[n] = 0; }
  struct sockaddr_storage ss;
  socklen_t len;
  int fam = sockaddr_of(ip, atoi(colon + 1), &ss, &len);
  if (fam < 0) { fprintf(stderr, "DNS: lookup %s: not an IP address (this agnhost resolves no names)\n", ip); return 1; }
  int fd = socket(fam, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
  if (fd < 0) { fprintf(stderr, "OTHER: socket: %s\n", strerror(errno)); return 1; }
  nonblock(fd);
  int r = connect(fd, (struct sockaddr *)&ss, len);
  if (r < 0 && errno != EINPROGRESS) { fprintf(stderr, errno == ECONNREFUSED ? "REFUSED\n" : "OTHER: dial: %s\n", strerror(errno)); return 1; }
  if (udp) send(fd, "hostname\n", 9, 0);
  struct pollfd pfd = {.fd = fd, .events = udp ? POLLIN : POLLOUT};
  if (poll(&pfd, 1, timeout) == 0) { fprintf(stderr, udp ? "TIMEOUT: read udp %s: i/o timeout\n" : "TIMEOUT\n", dest); return 1; }
  int err = 0;
  socklen_t el = sizeof err;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
  if (udp && !err) {
    char buf[1024];
    ssize_t got = recv(fd, buf, sizeof buf, 0);
    if (got > 0) return 0;
    err = got < 0 ? errno : 0;
    if (!err) { fprintf(stderr, "OTHER: No data received from the server. Cannot guarantee the server received the request.\n"); return 1; }
  }
  if (!err) return 0;
  if (err == ECONNREFUSED) fprintf(stderr, udp ? "REFUSED: read udp %s: connection refused\n" : "REFUSED\n", dest);
  else fprintf(stderr, "OTHER: dial %s: %s\n", dest, strerror(err));
  return 1;
}

int main(int argc, char **argv) {
  gethostname(host, sizeof host - 1);
  const char *cmd = argc > 1 ? argv[1] : "serve";
  if (!strcmp(cmd, "probe")) return probe(argc, argv);
  if (!strcmp(cmd, "connect")) return connect_cmd(argc, argv);
  serve(argc, argv);
}
