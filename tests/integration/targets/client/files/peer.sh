#!/bin/sh
# A real OpenConnect concentrator for the client target: ocserv (Debian's, in the
# foreground with -f) in namespace lvt-cl-srv, a host behind it in lvt-cl-lan, and the
# client's namespace lvt-cl-cli joined to the server by a veth (the "internet").
#   peer.sh up DIR       namespaces, CA and server certificate, password file, ocserv started
#   peer.sh restart DIR  ocserv stopped and started again (the client must reconnect)
#   peer.sh down DIR     ocserv stopped, namespaces and DIR removed
# CLIENT_NS= (empty) puts the client's end of the veth into the current namespace instead of
# lvt-cl-cli (the VM tier runs the role on the VM itself, under systemd).
# Addresses: outer 192.0.2.0/24 and 2001:db8:2::/64 (server .1, client .2); behind the
# server 10.71.1.0/24 and fd71:0:1::/64 (host .10). The server pushes split-include
# 10.71.0.0/16, 10.72.0.0/16, fd71::/32, fd72::/32 and split-exclude 10.71.9.0/24 and
# fd71:0:9::/48. The server forwards nothing that does not come through the VPN (a
# prohibit rule on the outer veth), so a ping of the host behind it answers only
# through the tunnel.
set -eu
cmd=$1 dir=$2
user=alice password=lvt-cl-secret
cns=${CLIENT_NS-lvt-cl-cli}
namespaces="$cns lvt-cl-srv lvt-cl-lan"  # $cns empty: two

# ip in the client's namespace (or the current one)
cip() { if [ -n "$cns" ]; then ip -n "$cns" "$@"; else ip "$@"; fi; }

start_server() {
  # setsid: a session of its own, so ocserv outlives the ssh session that started it (VM tier);
  # not a group leader here, setsid execs without forking and $! stays ocserv's pid.
  setsid ip netns exec lvt-cl-srv ocserv -f -c "$dir/ocserv.conf" >"$dir/ocserv.log" 2>&1 </dev/null &
  echo $! >"$dir/ocserv.pid"
  for _ in $(seq 50); do
    ip netns exec lvt-cl-srv ss -ltn | grep -q '192.0.2.1:4443' && return 0
    sleep 0.1
  done
  echo "ocserv did not listen on 192.0.2.1:4443:" >&2; cat "$dir/ocserv.log" >&2; exit 1
}

stop_server() {
  [ -f "$dir/ocserv.pid" ] || return 0
  pid=$(cat "$dir/ocserv.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$dir/ocserv.pid"
}

network() {
  for ns in $namespaces; do
    ip netns delete "$ns" 2>/dev/null || true
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  ip link add lvt-cl-c0 ${cns:+netns "$cns"} type veth peer name lvt-cl-s0 netns lvt-cl-srv
  ip link add lvt-cl-s1 netns lvt-cl-srv type veth peer name lvt-cl-l0 netns lvt-cl-lan
  cip addr add 192.0.2.2/24 dev lvt-cl-c0
  cip addr add 2001:db8:2::2/64 dev lvt-cl-c0 nodad
  ip -n lvt-cl-srv addr add 192.0.2.1/24 dev lvt-cl-s0
  ip -n lvt-cl-srv addr add 2001:db8:2::1/64 dev lvt-cl-s0 nodad
  ip -n lvt-cl-srv addr add 10.71.1.1/24 dev lvt-cl-s1
  ip -n lvt-cl-srv addr add fd71:0:1::1/64 dev lvt-cl-s1 nodad
  ip -n lvt-cl-lan addr add 10.71.1.10/24 dev lvt-cl-l0
  ip -n lvt-cl-lan addr add fd71:0:1::10/64 dev lvt-cl-l0 nodad
  cip link set lvt-cl-c0 up
  for pair in "lvt-cl-srv lvt-cl-s0" "lvt-cl-srv lvt-cl-s1" "lvt-cl-lan lvt-cl-l0"; do
    # shellcheck disable=SC2086
    set -- $pair
    ip -n "$1" link set "$2" up
  done
  if [ -n "$cns" ]; then  # on the VM itself only what the test needs, its default routes stay
    cip route add default via 192.0.2.1
    cip -6 route add default via 2001:db8:2::1
  fi
  ip -n lvt-cl-lan route add default via 10.71.1.1
  ip -n lvt-cl-lan -6 route add default via fd71:0:1::1
  ip netns exec lvt-cl-srv sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  ip -n lvt-cl-srv rule add iif lvt-cl-s0 priority 100 prohibit
  ip -n lvt-cl-srv -6 rule add iif lvt-cl-s0 priority 100 prohibit
  # Link-local addresses are tentative for a second or two: wait, so that "before" is settled.
  for _ in $(seq 50); do
    tentative=$(cip addr show tentative; for ns in lvt-cl-srv lvt-cl-lan; do ip -n $ns addr show tentative; done)
    [ -z "$tentative" ] && return 0
    sleep 0.1
  done
}

certificates() {
  printf 'cn = "lvt-cl test CA"\nca\ncert_signing_key\nexpiration_days = 2\n' >"$dir/ca.tmpl"
  printf 'cn = "192.0.2.1"\nip_address = "192.0.2.1"\ntls_www_server\nsigning_key\nencryption_key\nexpiration_days = 2\n' \
    >"$dir/server.tmpl"
  certtool --generate-privkey --key-type=ecdsa --outfile "$dir/ca-key.pem" 2>/dev/null
  certtool --generate-self-signed --load-privkey "$dir/ca-key.pem" --template "$dir/ca.tmpl" \
    --outfile "$dir/ca.pem" >/dev/null 2>&1
  certtool --generate-privkey --key-type=ecdsa --outfile "$dir/server-key.pem" 2>/dev/null
  certtool --generate-certificate --load-privkey "$dir/server-key.pem" --load-ca-certificate "$dir/ca.pem" \
    --load-ca-privkey "$dir/ca-key.pem" --template "$dir/server.tmpl" --outfile "$dir/server.pem" >/dev/null 2>&1
  chmod 0644 "$dir/ca.pem"
}

configuration() {
  printf '%s\n%s\n' "$password" "$password" | ocpasswd -c "$dir/passwd" "$user"
  cat >"$dir/ocserv.conf" <<EOF
auth = "plain[passwd=$dir/passwd]"
listen-host = 192.0.2.1
tcp-port = 4443
udp-port = 4443
run-as-user = nobody
run-as-group = nogroup
socket-file = $dir/ocserv.sock
isolate-workers = false
use-occtl = false
server-cert = $dir/server.pem
server-key = $dir/server-key.pem
max-clients = 4
max-same-clients = 2
keepalive = 32400
dpd = 90
try-mtu-discovery = false
auth-timeout = 240
cookie-timeout = 300
pid-file = $dir/ocserv-main.pid
log-level = 2
device = lvt-cl-vpns
predictable-ips = true
ipv4-network = 10.70.0.0
ipv4-netmask = 255.255.255.0
ipv6-network = fd70::/64
route = 10.71.0.0/16
route = 10.72.0.0/16
no-route = 10.71.9.0/24
route = fd71::/32
route = fd72::/32
no-route = fd71:0:9::/48
cisco-client-compat = true
dtls-legacy = true
EOF
}

case $cmd in
  up)
    mkdir -p "$dir" && chmod 0755 "$dir"
    network
    certificates
    configuration
    start_server
    ;;
  restart)
    stop_server
    start_server
    ;;
  down)
    stop_server
    for ns in $namespaces; do ip netns delete "$ns" 2>/dev/null || true; done
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 up|restart|down DIR" >&2
    exit 2
    ;;
esac
