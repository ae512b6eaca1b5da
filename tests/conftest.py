# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests import the collection as ansible_collections.linuxnet.vpn: make that
path exist (a symlink to the repository) and put it on sys.path."""

import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.join(TOP, ".build", "collections")
LINK = os.path.join(ROOT, "ansible_collections", "linuxnet", "vpn")
if not os.path.islink(LINK):
    os.makedirs(os.path.dirname(LINK), exist_ok=True)
    os.symlink(TOP, LINK)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
