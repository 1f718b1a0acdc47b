# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network probe: what a Docker network actually carries, seen from inside it.

- ``spec``: docker_network_probe's options and their checks (pure): what to
  resolve, what must not resolve, what to reach, where to measure the path MTU.
- ``tools``: the commands run in the probe container and the parsers of their
  output (busybox's ``nslookup``, ``ping``, ``nc``, ``ip``; iputils' ``ping -M do``
  when the image has it), pure.
- ``mtu``: the path MTU search over a ``send(size)`` callable, pure.
- ``published``: a swarm service's published ports as one check per node
  (ingress mode: every node answers; host mode: only where a task runs).
- ``run``: the short-lived probe container (labelled, always removed) and the
  checks run in it through the one engine connection (``_engine.client.Engine``).
"""
