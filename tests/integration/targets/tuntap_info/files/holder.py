# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hold a tun/tap device open without ever reading it, as whoever runs this.

    holder.py NAME [FLAGS]

fd 3, if open, is /dev/net/tun opened by root in the device's namespace (this
machine's /dev/net/tun is 0600; Debian's is 0666, where anyone may open it).
TUNSETIFF is where the kernel checks the device's owner and group, so it runs
here, as the unprivileged user. It prints "attached PID" or "error: ...".
Exits on SIGTERM, or after 10 minutes at the latest.
"""

import fcntl
import os
import signal
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000


def main():
    name = sys.argv[1]
    flags = int(sys.argv[2], 0) if len(sys.argv) > 2 else IFF_TUN | IFF_NO_PI
    try:
        try:
            os.fstat(3)
            fd = 3
        except OSError:
            fd = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), flags))
        text = "attached %d\n" % os.getpid()
    except OSError as exc:
        text = "error: %s\n" % exc
    sys.stdout.write(text)
    sys.stdout.flush()
    if text.startswith("error"):
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.alarm(600)
    signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
