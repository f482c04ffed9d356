/*
 * /bin/sh in the pods' root filesystems: busybox's ash, with one repair. Debian's static
 * busybox (1.35) is built without FEATURE_WGET_TIMEOUT, and its wget then dies of SIGSEGV on
 * `-T N` (it stores the number through a NULL pointer; fixed upstream, and in Debian's
 * 1.36.1-5). /bin/wget in these root filesystems is flatnet's wrapper that applies the
 * timeout itself, but ash runs its built-in applet for a bare `wget` and never looks in PATH.
 * A shell function comes before applets, so this defines `wget` as a call to /bin/wget: put
 * in front of a `sh -c` command (on the same line, so line numbers stay), and, for an
 * interactive shell, in the file $ENV names (the file unsets ENV again, so nothing else
 * sees it). Anything else — scripts, `ash`, `busybox sh` — is busybox's ash unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WGET_FN "wget() { /bin/wget \"$@\"; }; "
#define SHRC "/etc/flatnet-shrc"

int main(int argc, char **argv) {
  char **args = calloc((size_t)argc + 1, sizeof *args);
  if (!args) return 127;
  int command = 0, operand = 0;
  for (int i = 0; i < argc; i++) args[i] = argv[i];
  /* Options come first; with c among them, the first operand is the command string. */
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) { operand = i + 1; break; }
    if ((a[0] != '-' && a[0] != '+') || !a[1]) { operand = i; break; }
    if (a[0] == '-' && strchr(a, 'c')) command = 1;
    if (!strcmp(a, "-o") || !strcmp(a, "+o")) i++; /* -o OPTION takes the next word */
  }
  if (command && operand && operand < argc) {
    size_t n = strlen(WGET_FN) + strlen(argv[operand]) + 1;
    char *s = malloc(n);
    if (!s) return 127;
    snprintf(s, n, "%s%s", WGET_FN, argv[operand]);
    args[operand] = s;
  } else if (!operand && !getenv("ENV")) {
    setenv("ENV", SHRC, 0); /* no command and no script: a shell to type into */
  }
  execv("/bin/busybox", args);
  perror("sh: /bin/busybox");
  return 127;
}
