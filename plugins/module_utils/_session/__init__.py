# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The login a module runs under, as the kernel sees it.

``ssh``: the SSH session a task came in on (the sshd among the module
process's ancestors and that sshd's TCP connection, read from /proc), which
the host modules must never cut.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type
