# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start, wait for, and stop the qemu VMs of the VM test tier (stdlib only).

Used by molecule/shared/create.yml and destroy.yml, and by hand:

    python3 vmctl.py keygen   --dir RUN                      # RUN/id_ed25519 (per run, 0600)
    python3 vmctl.py segment  --dir RUN                      # RUN/segment.json: the shared L2 link
    python3 vmctl.py start    --dir RUN --image IMG --name vm1 --index 1
    python3 vmctl.py wait     --dir RUN --name vm1 [--timeout 300]
    python3 vmctl.py ssh      --dir RUN --name vm1 -- ip -br addr
    python3 vmctl.py stop     --dir RUN --name vm1 [--log-dir DIR]

Each VM: qemu TCG (KVM hangs on the build machines), the image's own kernel,
a qcow2 overlay of the read-only base image, NIC 1 (eth0) qemu user-mode
network with ssh forwarded from 127.0.0.1:PORT (a free port), NIC 2 (eth1)
on the scenario's L2 segment (a qemu socket netdev on a loopback multicast
group, so every VM of the scenario sees the others' frames), serial console
in RUN/NAME/serial.log, daemonized with RUN/NAME/qemu.pid. The ssh public key
reaches the guest through qemu fw_cfg (opt/linuxnet/authorized_keys), read at
boot by the image's linuxnet-vm-seed service. eth1 has no addresses until a
scenario's converge gives it some (two_hosts: a systemd-networkd .network file).
A VM that reboots stays in the same qemu process (no -no-reboot): same port,
same disk overlay. Every qemu is stopped by its pid file, after checking that
the pid is a qemu of this run directory (never by name).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

SSH_OPTIONS = [
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "LogLevel=ERROR",
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "BatchMode=yes",
    "-o",
    "ConnectTimeout=5",
]


def fail(msg: str) -> None:
    print(f"vmctl: {msg}", file=sys.stderr)
    sys.exit(1)


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        data = path.read_bytes()[-20000:].decode("utf-8", "replace")
    except OSError:
        return f"(no {path})"
    return "\n".join(data.replace("\r", "").splitlines()[-lines:])


def alive(pid: int, rundir: Path) -> bool:
    """True if pid is a qemu started for rundir (not a reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
    except OSError:
        return False
    return "qemu-system" in cmdline and str(rundir) in cmdline


def read_pid(vmdir: Path) -> int | None:
    try:
        return int((vmdir / "qemu.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def cmd_keygen(args: argparse.Namespace) -> None:
    run = Path(args.dir).resolve()
    run.mkdir(parents=True, exist_ok=True)
    key = run / "id_ed25519"
    if not key.exists():
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "linuxnet-vm", "-f", str(key)],
            check=True,
        )
    key.chmod(0o600)
    print(json.dumps({"private_key": str(key), "public_key": str(key) + ".pub"}))


def cmd_segment(args: argparse.Namespace) -> None:
    """The scenario's L2 link: a multicast group and UDP port only on loopback."""
    run = Path(args.dir).resolve()
    run.mkdir(parents=True, exist_ok=True)
    path = run / "segment.json"
    if not path.exists():
        rnd = random.SystemRandom()
        seg = {
            # 239/8 is organisation-local scope; qemu sends with TTL 1 via 127.0.0.1.
            "group": f"239.{rnd.randint(1, 254)}.{rnd.randint(1, 254)}.{rnd.randint(1, 254)}",
            "port": free_port(socket.SOCK_DGRAM),
        }
        path.write_text(json.dumps(seg) + "\n")
    print(path.read_text().strip())


def mac(kind: int, index: int) -> str:
    if not 0 < index < 65536:
        fail(f"--index must be 1..65535, not {index}")
    return f"52:54:00:{kind:02x}:{index // 256:02x}:{index % 256:02x}"


def cmd_start(args: argparse.Namespace) -> None:
    run = Path(args.dir).resolve()
    image = Path(args.image).resolve()
    vmdir = run / args.name
    for needed in ("disk.img", "vmlinuz", "initrd.img"):
        if not (image / needed).is_file():
            fail(f"no {needed} in {image}: run tests/vm/build-image.sh")
    pid = read_pid(vmdir)
    if pid and alive(pid, run):
        fail(f"{args.name} already runs (pid {pid}); stop it first")
    if vmdir.exists():
        shutil.rmtree(vmdir)
    vmdir.mkdir(parents=True)
    pubkey = Path(args.pubkey or run / "id_ed25519.pub")
    shutil.copyfile(pubkey, vmdir / "authorized_keys")
    overlay = vmdir / "disk.qcow2"
    subprocess.run(
        ["qemu-img", "create", "-q", "-f", "qcow2", "-b", str(image / "disk.img"), "-F", "raw", str(overlay)],
        check=True,
    )
    machine_id = hashlib.sha256(f"{vmdir}".encode()).hexdigest()[:32]
    cmdline = (
        "root=/dev/vda rw console=ttyS0 panic=-1 net.ifnames=0 "
        f"systemd.hostname={args.hostname or args.name} systemd.machine_id={machine_id}"
    )
    if args.kernel_args:
        cmdline += " " + args.kernel_args
    qemu = [
        "qemu-system-x86_64",
        "-name",
        args.name,
        "-accel",
        "tcg,thread=multi",
        "-cpu",
        args.cpu_model,
        "-m",
        str(args.memory),
        "-smp",
        str(args.cpus),
        "-nodefaults",
        "-no-user-config",
        "-display",
        "none",
        "-monitor",
        "none",
        "-serial",
        f"file:{vmdir / 'serial.log'}",
        "-daemonize",
        "-pidfile",
        str(vmdir / "qemu.pid"),
        "-kernel",
        str(image / "vmlinuz"),
        "-initrd",
        str(image / "initrd.img"),
        "-append",
        cmdline,
        "-drive",
        f"file={overlay},format=qcow2,if=virtio,cache=unsafe,discard=unmap",
        "-object",
        "rng-random,id=rng0,filename=/dev/urandom",
        "-device",
        "virtio-rng-pci,rng=rng0",
        "-fw_cfg",
        f"name=opt/linuxnet/authorized_keys,file={vmdir / 'authorized_keys'}",
    ]
    # The NICs sit in fixed PCI slots (management first), so eth0 and eth1 never swap.
    segment = run / "segment.json"
    lab = []
    if segment.exists():
        seg = json.loads(segment.read_text())
        lab += [
            "-netdev",
            f"socket,id=lab,mcast={seg['group']}:{seg['port']},localaddr=127.0.0.1",
            "-device",
            f"virtio-net-pci,netdev=lab,mac={mac(0x12, args.index)},addr=0x5",
        ]
    restrict = "off" if os.environ.get("LINUXNET_VM_RESTRICT", "1") == "0" else "on"
    started = time.monotonic()
    for _attempt in range(5):
        port = args.port or free_port()
        mgmt = [
            "-netdev",
            f"user,id=mgmt,restrict={restrict},hostfwd=tcp:127.0.0.1:{port}-:22",
            "-device",
            f"virtio-net-pci,netdev=mgmt,mac={mac(0x00, args.index)},addr=0x4",
        ]
        full = qemu + mgmt + lab
        proc = subprocess.run(full, capture_output=True, text=True, check=False)
        if proc.returncode == 0:
            break
        port_taken = "hostfwd" in proc.stderr or "forwarding rule" in proc.stderr
        if args.port or not port_taken:
            fail(f"qemu failed to start {args.name}: {proc.stderr.strip()}")
    else:
        fail(f"qemu: no free port for {args.name} after 5 tries: {proc.stderr.strip()}")
    (vmdir / "qemu.cmd").write_text(" ".join(full) + "\n")
    info = {
        "instance": args.name,
        "address": "127.0.0.1",
        "port": port,
        "user": "root",
        "identity_file": str(run / "id_ed25519"),
        "pid": read_pid(vmdir),
        "serial_log": str(vmdir / "serial.log"),
        "lab_mac": mac(0x12, args.index) if lab else None,
        "started": time.time(),
        "start_seconds": round(time.monotonic() - started, 2),
    }
    (vmdir / "vm.json").write_text(json.dumps(info, indent=1) + "\n")
    print(json.dumps(info))


def vm_info(args: argparse.Namespace) -> tuple[Path, Path, dict]:
    run = Path(args.dir).resolve()
    vmdir = run / args.name
    try:
        info = json.loads((vmdir / "vm.json").read_text())
    except OSError:
        fail(f"{args.name} was not started in {run}")
    return run, vmdir, info


def ssh_argv(info: dict, *command: str) -> list[str]:
    return [
        "ssh",
        *SSH_OPTIONS,
        "-i",
        info["identity_file"],
        "-p",
        str(info["port"]),
        "root@127.0.0.1",
        *command,
    ]


def banner(port: int) -> bool:
    """True once sshd in the guest answers (slirp accepts the TCP connection earlier)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
            s.settimeout(5)
            return s.recv(64).startswith(b"SSH-")
    except OSError:
        return False


def cmd_wait(args: argparse.Namespace) -> None:
    run, vmdir, info = vm_info(args)
    deadline = time.monotonic() + args.timeout
    serial = vmdir / "serial.log"
    while True:
        pid = read_pid(vmdir)
        if not pid or not alive(pid, run):
            fail(f"qemu of {args.name} is gone. Serial console, last lines:\n{tail(serial)}")
        if banner(info["port"]):
            proc = subprocess.run(ssh_argv(info, "true"), capture_output=True, text=True, check=False)
            if proc.returncode == 0:
                break
        if time.monotonic() > deadline:
            fail(
                f"{args.name}: no ssh on 127.0.0.1:{info['port']} after {args.timeout} s. "
                f"Serial console ({serial}), last lines:\n{tail(serial)}"
            )
        time.sleep(1)
    seconds = round(time.time() - info["started"], 1)
    print(json.dumps({"instance": args.name, "port": info["port"], "boot_to_ssh_seconds": seconds}))


def cmd_ssh(args: argparse.Namespace) -> None:
    info = vm_info(args)[2]
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    os.execvp("ssh", ssh_argv(info, *command))


def cmd_stop(args: argparse.Namespace) -> None:
    run = Path(args.dir).resolve()
    vmdir = run / args.name
    pid = read_pid(vmdir)
    stopped = False
    if pid and alive(pid, run):
        os.kill(pid, signal.SIGTERM)
        for _tick in range(100):
            if not alive(pid, run):
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
        stopped = True
    if args.log_dir and (vmdir / "serial.log").exists():
        logs = Path(args.log_dir)
        logs.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(vmdir / "serial.log", logs / f"{args.name}.serial.log")
    if vmdir.exists():
        shutil.rmtree(vmdir)
    print(json.dumps({"instance": args.name, "stopped": stopped}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("keygen", help="make RUN/id_ed25519 (the run's ssh key)")
    p.add_argument("--dir", required=True)
    p.set_defaults(func=cmd_keygen)
    p = sub.add_parser("segment", help="make RUN/segment.json (the scenario's L2 link)")
    p.add_argument("--dir", required=True)
    p.set_defaults(func=cmd_segment)
    p = sub.add_parser("start", help="start one VM (daemonized)")
    p.add_argument("--dir", required=True)
    p.add_argument("--image", required=True, help="directory printed by build-image.sh")
    p.add_argument("--name", required=True)
    p.add_argument("--hostname")
    p.add_argument("--index", type=int, default=1, help="1..65535, makes the MAC addresses")
    p.add_argument("--pubkey", help="default RUN/id_ed25519.pub")
    p.add_argument("--port", type=int, help="ssh port on 127.0.0.1 (default: a free one)")
    p.add_argument("--memory", type=int, default=1024)
    p.add_argument("--cpus", type=int, default=2)
    p.add_argument("--kernel-args", default=os.environ.get("LINUXNET_VM_KERNEL_ARGS", ""), help="more kernel arguments")
    p.add_argument("--cpu-model", default=os.environ.get("LINUXNET_VM_CPU", "max"), help="qemu -cpu (default max)")
    p.set_defaults(func=cmd_start)
    p = sub.add_parser("wait", help="wait until ssh with the run's key works")
    p.add_argument("--dir", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--timeout", type=int, default=300)
    p.set_defaults(func=cmd_wait)
    p = sub.add_parser("ssh", help="run a command on a VM")
    p.add_argument("--dir", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("command", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_ssh)
    p = sub.add_parser("stop", help="stop a VM and remove its overlay")
    p.add_argument("--dir", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--log-dir", help="keep the serial log here as NAME.serial.log")
    p.set_defaults(func=cmd_stop)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
