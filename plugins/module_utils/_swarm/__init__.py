# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Swarm: this engine's membership and the nodes of its swarm.

membership: reading, planning and applying init, join, leave and the swarm's
settings, and the swarm facts; node: planning and applying one node's
availability, role and labels.
"""
