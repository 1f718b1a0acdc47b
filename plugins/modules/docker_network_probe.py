#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: docker_network_probe
short_description: Check what a Docker network carries, from inside it, with a short-lived probe container
version_added: 0.1.0
description:
  - Starts one short-lived probe container on O(network) and, from inside it, checks and reports per target
    name resolution (the names that must resolve, O(resolve), and the names of other networks that must not,
    O(not_resolve)), reachability (ICMP, and a TCP connection to each port in O(targets[].tcp)) and the path
    MTU to each peer (pings with the don't-fragment bit set, at the network's MTU and, when that is lost, down
    to the largest size that passes).
  - For swarm services, it checks where a published port answers (O(published)). In ingress mode it must answer
    on every node, and in host mode only where a task runs.
  - Service discovery on Docker is network-scoped. Containers and services on the same user-defined network
    resolve each other by name through the engine's embedded DNS server; names on other networks do not resolve.
  - An overlay carries VXLAN, which adds 50 bytes to every packet. When a link under it has a smaller MTU, large
    packets vanish without an ICMP "fragmentation needed". This is a black hole, where small requests work and
    TLS handshakes hang. The probe reports this as C(black_hole) with the largest size that passed, and never as fine.
  - Read-only. No network is created, changed or connected to, apart from the probe container's own endpoint.
    The probe container runs with auto-remove and a lifetime of O(probe_timeout) plus 30 seconds. It is removed
    as soon as the checks are done, also when they fail or time out. It carries the label
    C(netprov.dockernet.probe), so leftovers can be found with C(docker ps -a --filter label=netprov.dockernet.probe).
    A run removes the leftovers whose lifetime has passed.
  - A check that fails makes the task fail, with one line per failure naming the option, the target, what was
    expected and what was seen (unless O(fail_on_mismatch=false)).
author:
  - netprov.dockernet developers (@netprov)
extends_documentation_fragment:
  - netprov.dockernet.docker
attributes:
  check_mode:
    support: full
    description:
      - Runs nothing and says so. The network and the image are looked up, but no container is started, and
        RV(plan) lists the checks a real run would make.
  diff_mode:
    support: none
    description: Changes nothing, so there is no diff.
options:
  network:
    description:
      - The network to probe from, by name or ID. It must exist, unless this engine is a swarm worker that
        learns attachable overlays from its managers.
      - An overlay must be attachable. The C(host) and C(none) networks cannot be probed. The default C(bridge)
        network has no embedded DNS, so names do not resolve on it.
    type: str
    required: true
  image:
    description:
      - The probe container's image. It needs C(sh), C(sleep), C(nslookup) (or C(getent)), C(ping), C(nc), C(ip)
        and C(traceroute). Busybox has them all.
      - With iputils C(ping), the don't-fragment bit is forced (C(-M do)). With busybox C(ping), it is set by the
        kernel's path MTU discovery on every packet that fits the interface. The probe never sends more than the
        interface's MTU.
      - Before any ping of the full size, one C(traceroute) probe of that size asks whether the path signals a
        smaller limit. After such a signal the kernel fragments larger packets itself, so they would seem to pass.
    type: str
    default: busybox:latest
  pull:
    description:
      - Pull O(image) when the engine does not have it. When V(false), a missing image is an error and nothing
        is pulled. Never pulled in check mode.
    type: bool
    default: false
  resolve:
    description:
      - Names that must resolve from inside the network, such as containers, aliases and services on it.
    type: list
    elements: str
    default: []
  not_resolve:
    description:
      - Names that must not resolve from inside the network, such as containers of other networks.
      - A name that the embedded DNS server does not know is passed to the DNS servers of the probe container
        (the engine's, or O(dns)), as it is for any container.
    type: list
    elements: str
    default: []
  targets:
    description:
      - Peers to reach. A target's name is resolved first, unless it is an address.
      - A name that does not resolve fails the check at C(targets[N].name), and the other checks of that target
        are not run.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
          - A container, alias or service on the network, or an IPv4 address.
        type: str
        required: true
      ping:
        description:
          - Check that the target answers ICMP echo requests. Two requests are sent before the target is counted
            as silent.
        type: bool
        default: true
      tcp:
        description:
          - TCP ports that must accept a connection. A refused connection or one that is not answered is
            reported, with what was seen.
        type: list
        elements: int
        default: []
      expect:
        description:
          - V(reachable) (the default) checks that the target answers. V(unreachable) checks that it does not, for
            isolation checks such as an internal network or another network's address. A name that does not
            resolve then counts as unreachable.
        type: str
        choices: [reachable, unreachable]
        default: reachable
      path_mtu:
        description:
          - Measure the path MTU to the target with don't-fragment pings (needs O(targets[].ping)).
          - A packet of the interface's MTU is tried first. When it is lost, the probe searches for the largest
            size that passes, in a binary search from 576 bytes.
          - A limit that the path signals (ICMP "fragmentation needed") is reported as C(signalled). Silent loss is
            reported as C(black_hole).
        type: bool
        default: true
      mtu:
        description:
          - The path MTU expected. Defaults to the MTU of the probe's interface on the network, which is the
            network's MTU.
        type: int
  published:
    description:
      - Swarm services whose published ports to check from the probe, on every node of the swarm. Needs the engine
        of a manager, which has the service, its tasks and the nodes.
      - In ingress mode (Docker's default) the routing mesh must answer on every node, also where no task runs; it
        needs IPVS in every node's kernel. In host mode the port must answer on the nodes where a task runs, and
        on no other node.
      - One check per published TCP port and node (UDP ports are skipped with a warning). Nodes that are not
        ready are listed, but not checked.
    type: list
    elements: dict
    default: []
    suboptions:
      service:
        description:
          - The service, by name or ID.
        type: str
        required: true
      port:
        description:
          - The published port to check. Defaults to every TCP port the service publishes.
        type: int
  dns:
    description:
      - DNS servers for the probe container, as C(docker run --dns) takes them. The embedded DNS server
        forwards the names it does not know to them.
    type: list
    elements: str
  dns_search:
    description:
      - DNS search domains for the probe container (C(docker run --dns-search)). V(.) sets none.
    type: list
    elements: str
  dns_opts:
    description:
      - Resolver options for the probe container (C(docker run --dns-option)), for example V(ndots:1).
    type: list
    elements: str
  reply_timeout:
    description:
      - Seconds to wait for each reply (ping, TCP connect). DNS answers may take twice as long.
    type: int
    default: 2
  probe_timeout:
    description:
      - Seconds for the whole probe. When they pass, the task fails naming this option, and the probe container
        is removed.
    type: int
    default: 120
  fail_on_mismatch:
    description:
      - Fail the task when a check fails. When V(false), the task succeeds and RV(ok) and RV(failures) tell.
    type: bool
    default: true
notes:
  - Only IPv4 is probed.
  - Busybox's C(traceroute -F) does not set the don't-fragment bit on Linux, and busybox's C(ip route get) does not
    show a learned path MTU. The probe does not rely on either.
  - On a swarm overlay, the names of services and of containers on other nodes resolve through the swarm's
    gossip, which can take a few seconds after they start.
seealso:
  - module: netprov.dockernet.docker_network_info
  - module: netprov.dockernet.docker_network
'''

EXAMPLES = r'''
- name: From the backend network, web and db resolve, answer on their ports, and carry full-size packets
  netprov.dockernet.docker_network_probe:
    network: backend
    image: busybox:1.36
    resolve: [web, db]
    not_resolve: [frontend-proxy]
    targets:
      - name: web
        tcp: [8080]
      - name: db
        tcp: [5432]

- name: Across the swarm, the overlay carries its MTU (a black hole under it fails the task)
  netprov.dockernet.docker_network_probe:
    network: apps
    targets:
      - name: api
        mtu: 1450

- name: From a manager, web's port answers on every node (ingress) and the agent's only where it runs (host mode)
  netprov.dockernet.docker_network_probe:
    network: apps
    published:
      - service: web
        port: 8080
      - service: node-agent

- name: An internal network reaches nothing outside it; report instead of failing
  netprov.dockernet.docker_network_probe:
    network: vault
    targets:
      - name: 198.18.0.1
        expect: unreachable
        tcp: [443]
    fail_on_mismatch: false
  register: isolation
'''

RETURN = r'''
ok:
  description: Whether every check passed. V(null) in check mode.
  returned: always
  type: bool
probed:
  description: Whether a probe container ran. V(false) in check mode.
  returned: always
  type: bool
plan:
  description:
    - The checks, in the order they run, each with C(path) (the option it comes from), C(check) (C(resolve),
      C(not_resolve), C(icmp), C(tcp) or C(path_mtu)), C(target), C(expected) and, for C(tcp), C(port).
  returned: always
  type: list
  elements: dict
checks:
  description:
    - The checks as they ran, each as in RV(plan) with C(seen) (what was seen) and C(ok) (V(null) when the check
      was not run because its target's name did not resolve or the target did not answer ping). They also carry
      C(address) (the address used), C(addresses) (what a name resolved to) and C(hint) (what to do about a
      failure).
    - A C(path_mtu) check also has C(interface), C(interface_mtu), C(path_mtu) (the largest size that passed),
      C(verdict) (C(ok), C(signalled), C(black_hole), C(unreachable) or C(interface)), C(limit) (a route MTU
      that the path signalled) and C(sizes) (each size tried, and whether it passed).
  returned: when the probe ran
  type: list
  elements: dict
failures:
  description: One line per failed check, naming the option, the target, what was expected and what was seen.
  returned: always
  type: list
  elements: str
  sample:
    - "targets[0].path_mtu: api path MTU: expected 1450 bytes with DF set to pass, seen 1354: larger packets are lost
      and nothing says why (no ICMP fragmentation needed): a black hole; VXLAN adds 50 bytes, ..."
targets:
  description:
    - One row per target, for reports. Each row has C(name), C(expect), C(addresses), C(icmp) (whether it
      answered ping), C(tcp) (port to whether it accepted), C(path_mtu), C(mtu_verdict), C(interface_mtu) and C(ok).
  returned: always
  type: list
  elements: dict
names:
  description:
    - The names of O(resolve) and O(not_resolve), each with C(resolves), C(addresses), C(expected) (whether it
      should resolve) and C(ok).
  returned: always
  type: dict
published:
  description:
    - One row per checked O(published) port and node, with C(service), C(port), C(mode) (C(ingress) or C(host)),
      C(node) (its hostname), C(address), C(task_here) (whether a task of the service runs there), C(answers) and
      C(ok).
  returned: always
  type: list
  elements: dict
network:
  description:
    - The network probed from, with C(name), C(id), C(driver), C(scope), C(internal), C(attachable), C(mtu) (its
      MTU option, V(null) when not set) and C(vxlan) (whether it carries VXLAN).
  returned: always
  type: dict
probe:
  description:
    - The probe container, with C(image), C(image_state) (C(present), C(pulled) or C(would be pulled)),
      C(container) (its name) and C(removed) (whether it is gone).
  returned: always
  type: dict
'''


from ansible_collections.netprov.dockernet.plugins.module_utils._engine.client import DOCKER_COMMON_ARGS, Engine
from ansible_collections.netprov.dockernet.plugins.module_utils._probe.run import probe
from ansible_collections.netprov.dockernet.plugins.module_utils._probe.spec import PROBE_OPTIONS
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module


def run(module):
    return probe(Engine(module.params), module.params, module.check_mode, module.warn)


def main():
    run_module(PROBE_OPTIONS, run, connection=DOCKER_COMMON_ARGS)


if __name__ == '__main__':
    main()
