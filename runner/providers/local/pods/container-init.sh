#!/bin/sh
# Runs inside a new mount + PID namespace, already in the pod's network and UTS namespaces
# (see runtime.ts). Gives the container its own root filesystem — an overlay over the image's
# read-only one — then becomes the container's process.
#   container-init.sh IMAGE_ROOTFS CONTAINER_DIR POD_DIR ARGV...
# FLATNET_BINDS: extra "src:dst" read-only bind mounts (the DNS pod gets its server this way).
set -e
img=$1 dir=$2 pod=$3
shift 3
mkdir -p "$dir/upper" "$dir/work" "$dir/root"
mount -t overlay overlay -o "lowerdir=$img,upperdir=$dir/upper,workdir=$dir/work" "$dir/root"
root=$dir/root
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=755,size=1m dev "$root/dev"
for d in null zero full random urandom tty; do
  touch "$root/dev/$d"
  mount --bind "/dev/$d" "$root/dev/$d"
done
ln -s /proc/self/fd "$root/dev/fd"
mkdir -p "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts" 2>/dev/null && ln -sf pts/ptmx "$root/dev/ptmx" || true
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
for f in resolv.conf hosts hostname; do mount --bind "$pod/etc/$f" "$root/etc/$f"; done
for b in $FLATNET_BINDS; do
  mount --bind -o ro "${b%%:*}" "$root${b#*:}"
done
unset FLATNET_BINDS
cd "$root"
exec chroot "$root" /bin/sh -c 'cd "${FLATNET_WORKDIR:-/}" && unset FLATNET_WORKDIR && exec "$@"' container "$@"
