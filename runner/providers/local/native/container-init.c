/*
 * The container half of the local cluster's runtime (see pods/runtime.ts), in one small
 * static binary so starting a container costs two process starts instead of thirty:
 *
 *   container-init NETNS_PATH UTS_PATH IMAGE_ROOTFS CONTAINER_DIR POD_DIR ARGV...
 *
 * Run on the node: joins the pod's network and UTS namespaces, makes new mount and PID
 * namespaces, and forks the container's PID 1, which gets its own root filesystem — an
 * overlay over the image's read-only one, with /proc, a minimal /dev, /tmp and the pod's
 * /etc/{resolv.conf,hosts,hostname} — and execs ARGV there. This process waits and exits
 * with the container's status (as `unshare --fork` does).
 *
 * FLATNET_BINDS: "src:dst ..." extra read-only bind mounts; FLATNET_WORKDIR: working dir.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what, const char *arg) {
  fprintf(stderr, "container-init: %s %s: %s\n", what, arg ? arg : "", strerror(errno));
  exit(127);
}

static void join(const char *path, int type) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, type) < 0) die("cannot join", path);
  close(fd);
}

static char *at(const char *root, const char *rel) {
  char *p;
  if (asprintf(&p, "%s%s", root, rel) < 0) die("out of memory", NULL);
  return p;
}

static void must_mount(const char *src, const char *dst, const char *type, unsigned long flags, const char *data) {
  if (mount(src, dst, type, flags, data) < 0) die("cannot mount", dst);
}

static void bind_file(const char *src, const char *dst) {
  int fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  if (fd >= 0) close(fd);
  must_mount(src, dst, NULL, MS_BIND, NULL);
}

/* mkdir -p */
static void mkdirs(const char *path) {
  char *p = strdup(path);
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = 0;
    mkdir(p, 0755);
    *s = '/';
  }
  mkdir(p, 0755);
  free(p);
}

static void setup_root(const char *img, const char *dir, const char *pod) {
  char *upper = at(dir, "/upper"), *work = at(dir, "/work"), *root = at(dir, "/root");
  mkdirs(dir);
  mkdir(upper, 0755);
  mkdir(work, 0755);
  mkdir(root, 0755);
  char *opts;
  if (asprintf(&opts, "lowerdir=%s,upperdir=%s,workdir=%s", img, upper, work) < 0) die("out of memory", NULL);
  must_mount("overlay", root, "overlay", 0, opts);
  must_mount("proc", at(root, "/proc"), "proc", 0, NULL);
  must_mount("dev", at(root, "/dev"), "tmpfs", MS_NOSUID, "mode=755,size=1m");
  const char *devs[] = {"null", "zero", "full", "random", "urandom", "tty"};
  for (unsigned i = 0; i < sizeof devs / sizeof *devs; i++) {
    char *src = at("/dev/", devs[i]), *dst = at(root, "/dev/");
    char *full = at(dst, devs[i]);
    bind_file(src, full);
  }
  symlink("/proc/self/fd", at(root, "/dev/fd"));
  mkdir(at(root, "/dev/pts"), 0755);
  mkdir(at(root, "/dev/shm"), 01777);
  if (mount("devpts", at(root, "/dev/pts"), "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666") == 0) symlink("pts/ptmx", at(root, "/dev/ptmx"));
  must_mount("tmpfs", at(root, "/tmp"), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  const char *etc[] = {"resolv.conf", "hosts", "hostname"};
  for (unsigned i = 0; i < 3; i++) {
    char *src = at(pod, "/etc/"), *dst = at(root, "/etc/");
    bind_file(at(src, etc[i]), at(dst, etc[i]));
  }
  char *binds = getenv("FLATNET_BINDS");
  if (binds && *binds) {
    char *copy = strdup(binds), *save = NULL;
    for (char *b = strtok_r(copy, " ", &save); b; b = strtok_r(NULL, " ", &save)) {
      char *colon = strchr(b, ':');
      if (!colon) continue;
      *colon = 0;
      char *dst = at(root, colon + 1);
      struct stat st;
      if (stat(b, &st) == 0 && S_ISDIR(st.st_mode)) mkdir(dst, 0755);
      else {
        int fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0755);
        if (fd >= 0) close(fd);
      }
      must_mount(b, dst, NULL, MS_BIND | MS_REC, NULL);
      must_mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL);
    }
  }
  if (chdir(root) < 0 || chroot(root) < 0) die("cannot chroot into", root);
  const char *wd = getenv("FLATNET_WORKDIR");
  if (chdir(wd && *wd ? wd : "/") < 0) die("cannot enter working directory", wd);
}

int main(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: container-init NETNS UTS IMAGE_ROOTFS CONTAINER_DIR POD_DIR ARGV...\n");
    return 2;
  }
  join(argv[1], CLONE_NEWNET);
  join(argv[2], CLONE_NEWUTS);
  if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0) die("cannot unshare", "mount+pid");
  /* Mounts made below stay inside this container. */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("cannot make mounts private", "/");
  pid_t child = fork();
  if (child < 0) die("cannot fork", NULL);
  if (child == 0) {
    setup_root(argv[3], argv[4], argv[5]);
    unsetenv("FLATNET_BINDS");
    unsetenv("FLATNET_WORKDIR");
    execvp(argv[6], argv + 6);
    die("cannot run", argv[6]);
  }
  int status;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}
