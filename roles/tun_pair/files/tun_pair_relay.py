# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The tun_pair relay: copy packets between two TUN devices and count them.

    tun_pair_relay.py FIRST SECOND --counters FILE [--pidfile FILE] [--daemon] [--flags 0x1001]

Attaches to both devices (TUNSETIFF with --flags, IFF_TUN|IFF_NO_PI by
default), then copies every packet read from one to the other. The counters
file (JSON: packets and bytes each way, the pid) is rewritten atomically
*before* a packet is passed on, so once a reply has arrived the file already
counts the packets that carried it. SIGUSR1 rewrites it too; SIGTERM and
SIGINT stop the relay cleanly (final counters written, pidfile removed).

With --daemon the relay detaches and the starting process exits only once
both devices are attached (status 0) or attaching failed (status 1, reason
on stderr), so whoever starts it needs no sleep. Memory is bounded: one
buffer of the largest packet, nothing queued.
"""

import argparse
import errno
import fcntl
import json
import os
import select
import signal
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
BUFFER = 65536


class Stop(Exception):
    """SIGTERM or SIGINT: leave the loop at once, whatever it waits for."""


class Relay:
    def __init__(self, first, second, counters, flags):
        self.names = (first, second)
        self.counters = counters
        self.fds = [self.attach(first, flags), self.attach(second, flags)]
        self.count = {"first_to_second": [0, 0], "second_to_first": [0, 0]}
        self.running = True

    @staticmethod
    def attach(name, flags):
        try:
            socket.if_nametoindex(name)  # TUNSETIFF would create a missing device: refuse instead
        except OSError:
            raise OSError(errno.ENODEV, "%s: no such device in this network namespace" % name)
        fd = os.open("/dev/net/tun", os.O_RDWR)
        try:
            fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode("ascii"), flags))
        except OSError as exc:
            os.close(fd)
            raise OSError(exc.errno, "%s: %s" % (name, exc.strerror))
        return fd

    def write_counters(self):
        data = {
            "pid": os.getpid(),
            "first": self.names[0],
            "second": self.names[1],
            "running": self.running,
        }
        for direction, (packets, size) in self.count.items():
            data[direction] = {"packets": packets, "bytes": size}
        tmp = "%s.%d.tmp" % (self.counters, os.getpid())
        with open(tmp, "w") as handle:
            json.dump(data, handle, sort_keys=True)
            handle.write("\n")
        os.rename(tmp, self.counters)

    def stop(self, *_args):
        raise Stop()

    def run(self):
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGUSR1, lambda *_: self.write_counters())
        self.write_counters()
        first, second = self.fds
        try:
            self.loop(first, second)
        except Stop:
            pass
        self.running = False
        self.write_counters()
        for fd in self.fds:
            os.close(fd)

    def loop(self, first, second):
        while True:
            ready, _w, _x = select.select(self.fds, [], [], 1.0)  # EINTR is retried (PEP 475)
            for fd in ready:
                try:
                    packet = os.read(fd, BUFFER)
                except OSError as exc:
                    if exc.errno in (errno.EAGAIN, errno.EINTR):
                        continue
                    raise
                direction = "first_to_second" if fd == first else "second_to_first"
                self.count[direction][0] += 1
                self.count[direction][1] += len(packet)
                self.write_counters()
                try:
                    os.write(second if fd == first else first, packet)
                except OSError as exc:
                    if exc.errno not in (errno.EIO, errno.EAGAIN, errno.ENOBUFS):  # the other side is down
                        raise


def daemonize(start):
    """Fork; the parent exits with the child's verdict on the attach, read from a pipe."""
    read_end, write_end = os.pipe()
    if os.fork() > 0:
        os.close(write_end)
        verdict = os.read(read_end, 4096).decode("utf-8", "replace")
        if verdict.startswith("ok"):
            sys.exit(0)
        sys.stderr.write(verdict or "the relay exited before attaching\n")
        sys.exit(1)
    os.close(read_end)
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    return start(write_end)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("first")
    parser.add_argument("second")
    parser.add_argument("--counters", required=True)
    parser.add_argument("--pidfile")
    parser.add_argument("--daemon", action="store_true")
    parser.add_argument("--flags", default="0x%x" % (IFF_TUN | IFF_NO_PI))
    args = parser.parse_args()

    def start(report=None):
        try:
            relay = Relay(args.first, args.second, args.counters, int(args.flags, 0))
            relay.write_counters()
            if args.pidfile:
                with open(args.pidfile, "w") as handle:
                    handle.write("%d\n" % os.getpid())
        except OSError as exc:
            if report is not None:
                os.write(report, ("cannot start the relay: %s\n" % exc).encode())
                os._exit(1)
            sys.stderr.write("cannot start the relay: %s\n" % exc)
            return 1
        if report is not None:
            os.write(report, b"ok\n")
            os.close(report)
        try:
            relay.run()
        finally:
            if args.pidfile:
                try:
                    os.unlink(args.pidfile)
                except OSError:
                    pass
        return 0

    if args.daemon:
        return daemonize(start)
    return start()


if __name__ == "__main__":
    sys.exit(main())
