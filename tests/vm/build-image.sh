#!/usr/bin/env bash
# Build (or reuse) the Debian 12 (bookworm) VM image of the VM test tier.
#
#   tests/vm/build-image.sh [--force]
#
# Prints the image directory on stdout (nothing else goes to stdout):
#   DIR/disk.img     raw ext4 root file system (read-only base; VMs boot qcow2 overlays)
#   DIR/vmlinuz      the image's own stock Debian kernel (booted with qemu -kernel)
#   DIR/initrd.img   its initramfs
#   DIR/manifest.txt installed packages (dpkg -l), DIR/build.log, DIR/recipe.sha256
#
# The image is cached under $LINUXNET_VM_CACHE (default /var/cache/linuxnet-vpn-vm)
# by the hash of its recipe: this script and tests/vm/packages.txt. A second run
# reuses it; a changed recipe builds a new one (older images are removed unless
# LINUXNET_VM_PRUNE=0). Needs root, debootstrap and e2fsprogs; downloads only
# from the Debian mirror apt on this machine uses (or $LINUXNET_VM_MIRROR).
#
# Nothing secret is baked in: root has no password, sshd takes keys only, and
# /root/.ssh/authorized_keys (qemu -fw_cfg) and the hostname (kernel command
# line) are given to each VM when it starts, and its ssh host key is made at
# first boot (see tests/vm/vmctl.py).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${LINUXNET_VM_CACHE:-/var/cache/linuxnet-vpn-vm}
suite=bookworm
force=0
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    *) echo "usage: $0 [--force]" >&2; exit 2 ;;
  esac
done

log() { printf '[build-image] %s\n' "$*" >&2; }
die() { printf '[build-image] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap)"
for tool in debootstrap mkfs.ext4 sha256sum flock python3 chroot; do
  command -v "$tool" >/dev/null || die "missing $tool (apt-get install debootstrap e2fsprogs python3)"
done

recipe_hash=$(cat "$here/build-image.sh" "$here/packages.txt" | sha256sum | cut -c1-16)
image_dir=$cache/images/$recipe_hash

mkdir -p "$cache/images"
exec 9>"$cache/.lock"
flock 9 # one builder at a time; a second run waits, then finds the image

if [ "$force" = 0 ] && [ -e "$image_dir/.complete" ]; then
  log "reusing $image_dir (recipe $recipe_hash)"
  echo "$image_dir"
  exit 0
fi

# The Debian mirror and keyring apt on this machine uses for $suite (main).
mirror_and_keyring() {
  python3 - "$suite" <<'PY'
import glob, re, sys
suite = sys.argv[1]
found = []
def add(uri, suites, comps, keyring):
    if suite in suites and "main" in comps:
        found.append((uri, keyring or ""))
for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        continue
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        keyring = ""
        m = re.match(r"deb\s+\[([^\]]*)\]\s+(.*)", line)
        if m:
            opts, rest = m.groups()
            k = re.search(r"signed-by=(\S+)", opts)
            keyring = k.group(1) if k else ""
        else:
            rest = line[4:]
        words = rest.split()
        if len(words) >= 3:
            add(words[0], [words[1]], words[2:], keyring)
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    try:
        text = open(path, encoding="utf-8").read()
    except OSError:
        continue
    for stanza in re.split(r"\n\s*\n", text):
        fields = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line or line[:1].isspace():
                continue
            key, value = line.split(":", 1)
            fields[key.strip().lower()] = value.strip()
        if fields.get("enabled", "yes").lower() == "no" or "deb" not in fields.get("types", "").split():
            continue
        for uri in fields.get("uris", "").split():
            add(uri, fields.get("suites", "").split(), fields.get("components", "").split(), fields.get("signed-by", ""))
if not found:
    sys.exit("no 'deb' source for suite %s (component main) in /etc/apt" % suite)
print(found[0][0], found[0][1])
PY
}

if [ -n "${LINUXNET_VM_MIRROR:-}" ]; then
  mirror=$LINUXNET_VM_MIRROR keyring=${LINUXNET_VM_KEYRING:-}
else
  read -r mirror keyring < <(mirror_and_keyring) || die "cannot find the Debian mirror in /etc/apt"
fi
[ -z "$keyring" ] || [ -r "$keyring" ] || keyring=""

packages=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/packages.txt" | grep -v '^$' | paste -sd, -)
[ -n "$packages" ] || die "no packages in $here/packages.txt"

work=$(mktemp -d "$cache/build.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
rootfs=$work/rootfs
out=$work/out
mkdir -p "$out"
start=$(date +%s)

log "debootstrap $suite from $mirror${keyring:+ (keyring $keyring)}: $packages"
debootstrap --variant=minbase --components=main ${keyring:+--keyring="$keyring"} \
  --include="$packages" "$suite" "$rootfs" "$mirror" >"$out/build.log" 2>&1 || {
  tail -n 30 "$out/build.log" >&2
  die "debootstrap failed (log above)"
}
log "debootstrap done in $(($(date +%s) - start)) s"

# --- configuration (files only: nothing runs inside the image but passwd/systemctl --root)

echo linuxnet-vm >"$rootfs/etc/hostname"
cat >"$rootfs/etc/hosts" <<'EOF'
127.0.0.1	localhost
127.0.1.1	linuxnet-vm
::1		localhost ip6-localhost ip6-loopback
ff02::1		ip6-allnodes
ff02::2		ip6-allrouters
EOF
cat >"$rootfs/etc/fstab" <<'EOF'
# The VM boots with root=/dev/vda rw (qemu virtio disk, a qcow2 overlay of the base image).
/dev/vda	/	ext4	rw,errors=remount-ro	0	1
EOF

# Root: no password at all (login only with the ssh key given at VM start).
chroot "$rootfs" usermod -p '*' root

# Management NIC only: eth0 (net.ifnames=0 on the kernel command line; vmctl.py puts
# it in the first PCI slot with MAC 52:54:00:00:*), qemu user-mode network, DHCP.
# networkd leaves every other link alone (no .network file matches it) and never
# deletes routes or rules it did not make (ManageForeign*=no), so the collection's
# objects survive a networkd (re)configure. Scenarios add their own .network
# files (two_hosts: the lab link eth1).
mkdir -p "$rootfs/etc/systemd/network"
cat >"$rootfs/etc/systemd/network/10-mgmt.network" <<'EOF'
[Match]
Name=eth0

[Network]
DHCP=ipv4
IPv6AcceptRA=no
LinkLocalAddressing=no
EOF
sed -i -E -e 's/^#?ManageForeignRoutes=.*/ManageForeignRoutes=no/' \
  -e 's/^#?ManageForeignRoutingPolicyRules=.*/ManageForeignRoutingPolicyRules=no/' \
  "$rootfs/etc/systemd/networkd.conf"
{ grep -qx 'ManageForeignRoutes=no' "$rootfs/etc/systemd/networkd.conf" &&
  grep -qx 'ManageForeignRoutingPolicyRules=no' "$rootfs/etc/systemd/networkd.conf"; } ||
  die "could not set ManageForeignRoutes=no and ManageForeignRoutingPolicyRules=no in networkd.conf"
systemctl --root="$rootfs" enable systemd-networkd.service >>"$out/build.log" 2>&1
# Nothing here waits for network-online; do not let a link without carrier delay boot.
systemctl --root="$rootfs" disable systemd-networkd-wait-online.service >>"$out/build.log" 2>&1 || true

# sshd: root by key only; the host key is made per VM at first boot (see the seed script).
cat >"$rootfs/etc/ssh/sshd_config.d/linuxnet-vm.conf" <<'EOF'
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
HostKey /etc/ssh/ssh_host_ed25519_key
EOF
rm -f "$rootfs"/etc/ssh/ssh_host_*

# Per-VM settings from qemu's fw_cfg (opt/linuxnet/*), applied before sshd starts.
cat >"$rootfs/usr/local/sbin/linuxnet-vm-seed" <<'EOF'
#!/bin/sh
# Applies the per-VM settings that tests/vm/vmctl.py passes with qemu -fw_cfg:
#   opt/linuxnet/authorized_keys -> /root/.ssh/authorized_keys
# and makes this VM's own ssh host key on first boot.
set -u
modprobe qemu_fw_cfg 2>/dev/null || true
fw=/sys/firmware/qemu_fw_cfg/by_name/opt/linuxnet
i=0
while [ ! -d /sys/firmware/qemu_fw_cfg/by_name ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ -r "$fw/authorized_keys/raw" ]; then
  install -d -m 0700 /root/.ssh
  install -m 0600 "$fw/authorized_keys/raw" /root/.ssh/authorized_keys
  echo "linuxnet-vm-seed: authorized_keys installed"
else
  echo "linuxnet-vm-seed: no authorized_keys in fw_cfg" >&2
fi
if [ ! -s /etc/ssh/ssh_host_ed25519_key ]; then
  ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
fi
EOF
chmod 0755 "$rootfs/usr/local/sbin/linuxnet-vm-seed"
cat >"$rootfs/etc/systemd/system/linuxnet-vm-seed.service" <<'EOF'
[Unit]
Description=linuxnet VM: root's ssh key from qemu fw_cfg, ssh host key
DefaultDependencies=no
After=local-fs.target systemd-remount-fs.service
Before=sysinit.target systemd-networkd.service ssh.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/linuxnet-vm-seed
StandardOutput=journal+console

[Install]
WantedBy=sysinit.target
EOF
systemctl --root="$rootfs" enable linuxnet-vm-seed.service >>"$out/build.log" 2>&1

# Quiet, fast boots: no periodic jobs, IKE daemon off until a role enables it, no ocserv of its own.
for unit in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer \
  e2scrub_reap.service fstrim.timer strongswan.service strongswan-starter.service ocserv.service ocserv.socket; do
  systemctl --root="$rootfs" disable "$unit" >>"$out/build.log" 2>&1 || true
done

kver=$(basename "$(ls -d "$rootfs"/lib/modules/* | sort -V | tail -n 1)")

# A small initramfs with just what mounts the virtio root disk: Debian's default
# (MODULES=most, 36 MB) takes seconds more to unpack on every TCG boot.
echo MODULES=list >"$rootfs/etc/initramfs-tools/conf.d/linuxnet-vm.conf"
printf '%s\n' virtio_pci virtio_blk ext4 >>"$rootfs/etc/initramfs-tools/modules"
chroot "$rootfs" update-initramfs -u -k "$kver" >>"$out/build.log" 2>&1 || {
  tail -n 20 "$out/build.log" >&2
  die "update-initramfs failed"
}

# The kernel must offer what the tests need (they load as modules).
for module in esp4 esp6 xfrm_interface xfrm_user qemu_fw_cfg virtio_net virtio_blk; do
  chroot "$rootfs" modinfo -k "$kver" -F filename "$module" >/dev/null 2>&1 ||
    die "kernel $kver has no $module"
done

rm -f "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*_Packages
chroot "$rootfs" dpkg-query -W -f '${Package} ${Version}\n' >"$out/manifest.txt"

cp "$rootfs/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$rootfs/boot/initrd.img-$kver" "$out/initrd.img"
echo "$kver" >"$out/kernel-version"

# A sparse 4 GiB ext4 file system made from the directory: no loop mount, no root mount.
truncate -s 4G "$out/disk.img"
mkfs.ext4 -q -L linuxnet-root -d "$rootfs" "$out/disk.img"
chmod 0444 "$out/disk.img"
cp "$here/packages.txt" "$out/packages.txt"
echo "$recipe_hash" >"$out/recipe.sha256"
touch "$out/.complete"

rm -rf "$image_dir"
mv "$out" "$image_dir"
log "built $image_dir (kernel $kver) in $(($(date +%s) - start)) s"

# True if a running process (a qemu) names a file of image directory $1 on its command line.
image_in_use() {
  local f
  for f in /proc/[0-9]*/cmdline; do
    [[ "$(tr '\0' ' ' <"$f" 2>/dev/null)" == *"$1/"* ]] && return 0
  done
  return 1
}
if [ "${LINUXNET_VM_PRUNE:-1}" != 0 ]; then
  for old in "$cache"/images/*; do
    [ "$old" = "$image_dir" ] && continue
    # A VM that still runs from an old image (another checkout, another branch) keeps it.
    if image_in_use "$old"; then
      log "keeping old image $old: a running process uses it"
      continue
    fi
    log "removing old image $old"
    rm -rf "$old"
  done
fi
echo "$image_dir"
