# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tun_pair relay without TUN devices: two packet socket pairs stand in for them."""

import importlib.util
import json
import os
import select
import signal
import socket

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "roles", "tun_pair", "files", "tun_pair_relay.py")


@pytest.fixture
def relay_module():
    spec = importlib.util.spec_from_file_location("tun_pair_relay", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_counters(path):
    with open(path) as handle:
        return json.load(handle)


def receive(sock):
    assert select.select([sock], [], [], 10)[0], "the relay did not pass the packet on"
    return sock.recv(65536)


def test_copies_counts_before_forwarding_and_stops_cleanly(relay_module, tmp_path):
    first_outer, first_inner = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    second_outer, second_inner = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    counters = str(tmp_path / "counters.json")
    relay = relay_module.Relay.__new__(relay_module.Relay)
    relay.names = ("tunA", "tunB")
    relay.counters = counters
    relay.fds = [first_inner.fileno(), second_inner.fileno()]
    relay.count = {"first_to_second": [0, 0], "second_to_first": [0, 0]}
    relay.running = True
    pid = os.fork()
    if pid == 0:  # the relay
        code = 1
        try:
            relay.run()
            code = 0
        finally:
            os._exit(code)
    try:
        first_inner.close()
        second_inner.close()
        for sent in range(3):
            first_outer.send(b"x" * 84)
            assert receive(second_outer) == b"x" * 84
            # the counters were written before the packet was passed on
            assert read_counters(counters)["second_to_first"]["packets"] == sent
            second_outer.send(b"y" * 84)
            assert receive(first_outer) == b"y" * 84
        counted = read_counters(counters)
        assert counted["first_to_second"] == {"packets": 3, "bytes": 252}
        assert counted["second_to_first"] == {"packets": 3, "bytes": 252}
        assert counted["running"] is True and counted["pid"] == pid
    finally:
        os.kill(pid, signal.SIGTERM)
        status = os.waitpid(pid, 0)[1]
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert read_counters(counters)["running"] is False


def test_a_missing_device_is_refused_not_created(relay_module):
    with pytest.raises(OSError) as error:
        relay_module.Relay.attach("lvt-nosuch0", 0x1001)
    assert "lvt-nosuch0: no such device in this network namespace" in str(error.value)
