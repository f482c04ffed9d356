/*
 * Preloaded into `flatnet cluster shell node` on a rootless node. A user namespace made
 * without privilege has setgroups denied (/proc/self/setgroups is "deny"), so a tool that
 * drops to a user of its own — tcpdump, through initgroups() — fails on the
 * setgroups that sets its supplementary groups to its own group. Report success where the
 * call would change nothing that matters: when it is refused and asks only for groups the
 * process already has (its own gid, or its current supplementary groups). Any other list
 * still fails. initgroups() reaches setgroups inside libc, so it is wrapped too.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <sys/syscall.h>
#include <unistd.h>

static int has(gid_t g) {
  gid_t mine[256];
  int n = getgroups(256, mine);
  if (g == getgid() || g == getegid()) return 1;
  for (int i = 0; i < n; i++)
    if (mine[i] == g) return 1;
  return 0;
}

static long groups(size_t size, const gid_t *list) {
  long r = syscall(SYS_setgroups, size, list);
  if (r == 0 || errno != EPERM) return r;
  for (size_t i = 0; i < size; i++)
    if (!has(list[i])) return -1; /* errno is still EPERM */
  return 0;
}

int setgroups(size_t size, const gid_t *list) {
  return (int)groups(size, list);
}

/* glibc's initgroups() calls setgroups inside libc, past the wrapper above: tcpdump's path. */
int initgroups(const char *user, gid_t group) {
  static int (*real)(const char *, gid_t);
  if (!real) real = (int (*)(const char *, gid_t))dlsym(RTLD_NEXT, "initgroups");
  if (real(user, group) == 0) return 0;
  if (errno != EPERM || !has(group)) return -1;
  return 0;
}
