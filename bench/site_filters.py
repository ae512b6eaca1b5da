# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the site_to_site role computes on the controller, timed for a hub of N spokes.

The role turns the inventory into a gateway's tunnels with four filters (plugins/filter/site_to_site.py):
site_tunnels (the peers, their outer addresses and subnets checked with netaddr), site_xfrm_tunnels
(SAs and keys per direction, HKDF-SHA256 from one secret), site_interfaces and site_routes. This
times them as Jinja calls them, for one hub of a hub_and_spoke group of N spokes (each spoke one IPv4
and one IPv6 subnet), and for one site of a mesh of N sites. No kernel, no root.

    python bench/site_filters.py [N ...]     # default 10 100 1000 4000 (after source tests/env.sh)

Prints, per N, the median of --repeat runs of each filter and the whole chain, the time per peer and
the growth against the previous N (linear is N's own ratio). No timing is asserted anywhere.
"""

import argparse
import os
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, ".build", "collections"))

from ansible_collections.linuxnet.vpn.plugins.filter import site_to_site as filters  # noqa: E402

SECRET = "bench-secret-of-the-site-filters"


def spoke(i):
    """Spoke i's site: outer 100.64.0.0/10, LANs 10.x.y.0/24 and fd01:i::/64 (i < 4094: site ids are 1..4095)."""
    return dict(id=i + 1, outer=["100.%d.%d.1" % (64 + i // 256, i % 256)],
                subnets=["10.%d.%d.0/24" % (1 + i // 256, i % 256), "fd01:%x::/64" % i])  # fmt: skip


def sites(n):
    group = {"s%05d" % i: spoke(i) for i in range(n)}
    group["hub"] = dict(id=4095, outer=["203.0.113.1", "2001:db8::1"], subnets=["10.0.0.0/16", "fd00::/48"])
    return group


def timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def measure(n, topology, repeat):
    group = sites(n)
    me, hubs = ("s00000", None) if topology == "mesh" else ("hub", ["hub"])
    runs = {"site_tunnels": [], "site_xfrm_tunnels": [], "interfaces+routes": []}
    for _attempt in range(repeat):
        took, tunnels = timed(filters.site_tunnels, group, me, topology=topology, hubs=hubs)
        runs["site_tunnels"].append(took)
        runs["site_xfrm_tunnels"].append(timed(filters.site_xfrm_tunnels, tunnels, SECRET)[0])
        start = time.perf_counter()
        filters.site_interfaces(tunnels)
        filters.site_routes(tunnels, table="vpn")
        runs["interfaces+routes"].append(time.perf_counter() - start)
    took = {name: median(values) for name, values in runs.items()}
    took["chain"] = sum(took.values())  # the role runs the four filters one after the other
    return len(tunnels), took


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument(
        "sizes",
        nargs="*",
        type=int,
        default=[10, 100, 1000, 4000],
        help="spokes or mesh sites, up to 4094 (site ids are 1..4095)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the median is shown")
    args = parser.parse_args()
    for topology in ("hub_and_spoke", "mesh"):
        print("%s: one %s, N peers" % (topology, "hub" if topology != "mesh" else "site"))
        print("%7s %8s %12s %17s %17s %9s %12s %7s" % ("N", "tunnels", "site_tunnels", "site_xfrm_tunnels",
                                                       "interfaces+routes", "chain", "per peer", "growth"))  # fmt: skip
        previous = None
        for n in args.sizes:
            count, took = measure(n, topology, args.repeat)
            growth = "%.1fx" % (took["chain"] / previous[1]) + "/%dx" % (n // previous[0]) if previous else ""
            print("%7d %8d %11.4fs %16.4fs %16.4fs %8.4fs %10.1fus %7s" % (
                n, count, took["site_tunnels"], took["site_xfrm_tunnels"], took["interfaces+routes"],
                took["chain"], took["chain"] / max(count, 1) * 1e6, growth))  # fmt: skip
            previous = (n, took["chain"])


if __name__ == "__main__":
    main()
