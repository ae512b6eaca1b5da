# Entry points for people and CI. Everything runs as root on this machine's kernel.
VENV ?= .venv
VENV07 ?= .build/venv-pyroute2-0.7
PY := $(VENV)/bin/python
export LINUXNET_VENV := $(abspath $(VENV))

.PHONY: bench bench-tunnels bench-filters reliability lab demo test vm venv kernel unit unit-0.7 integration integration-0.7 installed versions docs sanity lint format clean

## lab: the main job - a three-site VPN over ESP in network namespaces (in a VM where this kernel lacks ESP)
lab: venv
	bash playbooks/lab.sh

## demo: the policy routing and TUN demos (routing through userspace, split routes, tun_pair) in namespaces
demo: venv
	bash -c 'source tests/env.sh && ansible-playbook -i localhost, -c local playbooks/demo.yml'

## test: everything CI runs (unit, lint, sanity, namespace integration, the installed tarball)
test: venv unit unit-0.7 lint sanity kernel integration integration-0.7 installed

venv: $(VENV)/.done
$(VENV)/.done: tests/requirements.txt tests/community-crypto.sh
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r tests/requirements.txt
	bash tests/community-crypto.sh $(VENV)
	touch $@

$(VENV07)/.done: tests/requirements-pyroute2-0.7.txt
	python3 -m venv $(VENV07)
	$(VENV07)/bin/pip install -q -r tests/requirements-pyroute2-0.7.txt
	touch $@

unit: venv
	bash tests/unit/run.sh $(PY)

unit-0.7: $(VENV07)/.done
	bash tests/unit/run.sh $(VENV07)/bin/python

## kernel: module_utils on a real kernel - random sets (hypothesis), concurrency, crash, drift, large dumps
kernel: venv
	bash -c 'source tests/env.sh && python -m pytest -q -p no:cacheprovider tests/kernel'

integration: venv
	bash tests/integration/run.sh

## integration-0.7: the modules again, on the target side with Debian 12's pyroute2: one target
## per pyroute2 message class we use (fibmsg, rtmsg, ifaddrmsg, ifinfmsg, nla/nlmsg for XFRM);
## xfrm_state runs on 0.7.2 in the VM tier, where it has ESP
integration-0.7: venv $(VENV07)/.done
	ANSIBLE_PYTHON_INTERPRETER=$(abspath $(VENV07))/bin/python bash tests/integration/run.sh ip_rule ip_route ip_address xfrm_policy tuntap_info

## vm: the VM tier - molecule scenarios on qemu VMs with Debian 12's stock kernel (ESP SAs, XFRM interfaces, reboots); VM_SCENARIOS="default" runs one
vm: venv
	bash tests/vm/run.sh $(VM_SCENARIOS)

## installed: build the tarball, install it into an empty collections path, run a module's and a role's
## targets from that copy, check what an execution environment installs (ansible-builder)
installed: venv
	bash tests/installed.sh

## versions: the older ansible-core versions meta/runtime.yml claims (2.16-2.18): unit tests; on 2.16 also
## integration targets from the installed tarball and ansible-test sanity
versions: venv
	bash tests/versions.sh

## docs: the collection's docs site (antsibull-docs, Sphinx) in docs/build/html
docs: venv
	bash tests/docs.sh

lint: venv
	bash tests/lint.sh

sanity: venv
	bash tests/sanity.sh

clean:
	rm -rf .build tests/output

## bench: how the cost grows with the number of tunnels, beside `ip -batch` (prints a table, writes bench/results/bench.json)
bench: venv
	bash -c 'source tests/env.sh && python bench/bench.py $(BENCH_SIZES) $(BENCH_ARGS)'

## bench-filters: the site_to_site role's controller-side computation for a hub of N spokes and a mesh (no root)
bench-filters: venv
	bash -c 'source tests/env.sh && python bench/site_filters.py $(BENCH_SIZES)'

## bench-tunnels: whole tunnels in a VM (ESP): one xfrm_tunnel task vs ip -batch and vs three tasks (bench/results/vm-tunnels.json)
bench-tunnels: venv
	bash bench/vm-tunnels.sh $(BENCH_SIZES)

## reliability: run the reliability and security cases, write their table to docs/reliability.md
reliability: venv
	bash -c 'source tests/env.sh && python tools/reliability_report.py'
