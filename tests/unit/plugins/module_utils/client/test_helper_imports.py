# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client role's root helper runs on hosts without Ansible: what it imports must not need it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", ".."))
HELPER = os.path.join(TOP, "roles", "client", "templates", "client-helper.py.j2")

# Runs the helper's own code (its template has no Jinja but its name) in a fresh Python
# where `import ansible` fails, up to the imports of the engine, the kinds and connect.py.
PROBE = r"""
import sys
class NoAnsible:
    def find_spec(self, name, path=None, target=None):
        if name == "ansible" or name.startswith("ansible."):
            raise ImportError("no ansible here: " + name)
sys.meta_path.insert(0, NoAnsible())
source = open(sys.argv[1]).read()
helper = {"__name__": "client_helper", "__file__": sys.argv[1]}
exec(compile(source, sys.argv[1], "exec"), helper)
helper["outside_ansible"]()  # its stub of ansible.module_utils.basic, as on a host without Ansible
from ansible_collections.linuxnet.vpn.plugins.module_utils.addresses.address import AddressKind
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.converge import converge
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing.route import RouteKind
from ansible_collections.linuxnet.vpn.plugins.module_utils.client.connect import plan
print("imported")
"""


def test_the_helper_imports_the_engine_without_ansible():
    env = dict(os.environ, PYTHONPATH=os.path.join(TOP, ".build", "collections"))
    done = subprocess.run([sys.executable, "-c", PROBE, HELPER], env=env, capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "imported", done.stderr
