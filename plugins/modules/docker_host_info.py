#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: docker_host_info
short_description: What a Docker Engine is and how its networking is configured
version_added: 0.1.0
description:
  - Reads, in one call, what a Docker Engine is (version, API versions, OS, kernel, root directory, cgroup driver)
    and how its networking is configured (live-restore, swarm membership, default address pools, the default
    C(bridge) network, IPv6, network drivers, the engine's own warnings), with container counts and, when asked,
    the running containers and the networks they are attached to.
  - Everything comes from the engine's API (C(/version), C(/info), the C(bridge) network), over the connection
    options below, so engines reached over TCP and TLS work as well as a local socket.
  - Never changes anything; C(changed) is always V(false).
author:
  - netprov.dockernet developers (@netprov)
extends_documentation_fragment:
  - netprov.dockernet.docker
attributes:
  check_mode:
    support: full
    description: Reads only.
  diff_mode:
    support: none
    description: Reads only.
options:
  containers:
    description:
      - Also list the running containers, each with the networks it is attached to, as
        RV(containers.list). Costs one inspect per running container.
    type: bool
    default: false
notes:
  - A field the engine does not report is V(null). Engine 20.10 reports C(DefaultAddressPools) only when
    C(default-address-pools) is set in its configuration; otherwise RV(networking.default_address_pools) is
    V(null) and the engine's built-in pools apply.
seealso:
  - module: netprov.dockernet.docker_network_info
  - module: netprov.dockernet.docker_swarm_info
'''

EXAMPLES = r'''
- name: What engine is this, and how is its networking set up?
  netprov.dockernet.docker_host_info:
  register: host

- name: Swarm hosts need the iptables firewall backend
  ansible.builtin.assert:
    that:
      - (host.networking.firewall_backend.driver | default('iptables')) != 'nftables'

- name: Refuse engines older than 23.0.3 before making encrypted overlays
  ansible.builtin.assert:
    that:
      - host.engine.version is version('23.0.3', '>=')
    fail_msg: "{{ inventory_hostname }} runs Docker {{ host.engine.version }}"

- name: A remote engine over TLS, with its running containers and their addresses
  netprov.dockernet.docker_host_info:
    docker_host: tcp://engine1.example.com:2376
    tls: true
    validate_certs: true
    containers: true
  register: remote

- name: Where each running container is attached
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.networks | dict2items | map(attribute='key') | join(', ') }}"
  loop: "{{ remote.containers.list }}"
  loop_control:
    label: "{{ item.name }}"
'''

RETURN = r'''
engine:
  description: What the engine is, from C(/version) and C(/info).
  returned: success
  type: dict
  contains:
    version:
      description: The engine's version.
      type: str
      returned: success
      sample: 20.10.24+dfsg1
    api_version:
      description: The newest Engine API version the engine speaks.
      type: str
      returned: success
      sample: '1.41'
    min_api_version:
      description:
        - The oldest Engine API version the engine accepts (1.44 on Engine 29 and later, which refuse older
          clients).
      type: str
      returned: success
      sample: '1.12'
    client_api_version:
      description:
        - The Engine API version this collection speaks with the engine, the engine's own unless O(api_version)
          pins another. It decides which options the network modules take (each is refused where it is older
          than the one that brought the option).
      type: str
      returned: success
      sample: '1.51'
    os:
      description: The engine's operating system family (C(linux), C(windows)).
      type: str
      returned: success
    arch:
      description: The engine's architecture, as Go names it (C(amd64), C(arm64)).
      type: str
      returned: success
    kernel_version:
      description: The kernel the engine runs on.
      type: str
      returned: success
    operating_system:
      description: The host's operating system, for example V(Debian GNU/Linux 12 (bookworm)).
      type: str
      returned: success
    name:
      description: The engine host's hostname.
      type: str
      returned: success
    id:
      description: The engine's id.
      type: str
      returned: success
    root_dir:
      description: The engine's root directory (C(data-root)).
      type: str
      returned: success
      sample: /var/lib/docker
    cgroup_driver:
      description: The cgroup driver (C(cgroupfs), C(systemd)).
      type: str
      returned: success
    cgroup_version:
      description: The cgroup version (V(1) or V(2)), V(null) when the engine does not report it.
      type: str
      returned: success
networking:
  description: How the engine's networking is configured.
  returned: success
  type: dict
  contains:
    live_restore:
      description: Whether live-restore is enabled (containers keep running while the engine restarts).
      type: bool
      returned: success
    firewall_backend:
      description:
        - The engine's firewall backend (C(/info) C(FirewallBackend), Engine 28.1 and later), V(null) where the
          engine does not report it (it is iptables there).
        - Swarm mode does not work with V(nftables) (Engine 29 refuses to start a swarm with it).
      type: dict
      returned: success
      contains:
        driver:
          description: V(iptables), V(iptables+firewalld) or V(nftables).
          type: str
          returned: success
        info:
          description: What the engine adds about it, by label (for example when firewalld reloaded).
          type: dict
          returned: success
      sample: {driver: iptables, info: {}}
    swarm:
      description: This engine's swarm membership.
      type: dict
      returned: success
      contains:
        local_node_state:
          description: V(inactive), V(pending), V(active), V(error) or V(locked).
          type: str
          returned: success
        node_id:
          description: This node's id in the swarm, or V(null).
          type: str
          returned: success
        node_addr:
          description: The address this node advertises to the swarm, or V(null).
          type: str
          returned: success
        is_manager:
          description: Whether this node is a manager that can take control requests.
          type: bool
          returned: success
    default_address_pools:
      description:
        - The pools user-defined local networks take their subnets from, each as C(base) (a CIDR) and C(size)
          (the prefix length of each network).
        - V(null) when the engine does not report them (Engine 20.10 reports them only when
          C(default-address-pools) is configured; its built-in pools then apply).
      type: list
      elements: dict
      returned: success
      sample: [{base: 198.19.128.0/17, size: 24}]
    bridge:
      description: The default C(bridge) network, or V(null) when the engine has none (C(bridge=none)).
      type: dict
      returned: success
      contains:
        id:
          description: The network's id.
          type: str
          returned: success
        interface:
          description: The Linux bridge behind it (C(com.docker.network.bridge.name)), usually C(docker0).
          type: str
          returned: success
        subnet:
          description: Its IPv4 subnet (the engine's C(bip) network).
          type: str
          returned: success
        gateway:
          description: Its IPv4 gateway.
          type: str
          returned: success
        mtu:
          description: The C(com.docker.network.driver.mtu) option as a number, V(null) when not set.
          type: int
          returned: success
        enable_ipv6:
          description: Whether IPv6 is enabled on it.
          type: bool
          returned: success
        ipv6_subnet:
          description: Its IPv6 subnet (C(fixed-cidr-v6)), or V(null).
          type: str
          returned: success
        ipv6_gateway:
          description: Its IPv6 gateway, or V(null).
          type: str
          returned: success
        enable_icc:
          description: Whether containers on it may talk to each other, V(null) when not reported.
          type: bool
          returned: success
        enable_ip_masquerade:
          description: Whether traffic leaving it is masqueraded, V(null) when not reported.
          type: bool
          returned: success
        options:
          description: All its driver options, as the engine reports them.
          type: dict
          returned: success
    ipv6:
      description: What the engine reports of IPv6.
      type: dict
      returned: success
      contains:
        bridge_enabled:
          description: Whether the default bridge has IPv6, V(null) when there is no default bridge.
          type: bool
          returned: success
        bridge_subnet:
          description: The default bridge's IPv6 subnet, or V(null).
          type: str
          returned: success
        bridge_gateway:
          description: The default bridge's IPv6 gateway, or V(null).
          type: str
          returned: success
        bridge_nf_ip6tables:
          description: Whether bridged IPv6 traffic passes ip6tables (C(net.bridge.bridge-nf-call-ip6tables)).
          type: bool
          returned: success
    network_drivers:
      description: The network drivers the engine has (built in and plugins), from C(/info) C(Plugins.Network).
      type: list
      elements: str
      returned: success
      sample: [bridge, host, ipvlan, macvlan, 'null', overlay]
    ipv4_forwarding:
      description:
        - Whether IPv4 forwarding is on (C(net.ipv4.ip_forward)), V(null) when not reported. Without it containers on
          bridge networks reach nothing beyond the host.
      type: bool
      returned: success
    bridge_nf_iptables:
      description: Whether bridged IPv4 traffic passes iptables (C(net.bridge.bridge-nf-call-iptables)).
      type: bool
      returned: success
    warnings_engine:
      description:
        - The engine's own warnings (C(/info) C(Warnings)), as it words them, for example that IPv4 forwarding
          or bridge-nf-call-iptables is disabled. Empty when it has none.
      type: list
      elements: str
      returned: success
containers:
  description: Container counts and, with O(containers=true), the running containers.
  returned: success
  type: dict
  contains:
    total:
      description: How many containers exist, in any state.
      type: int
      returned: success
    running:
      description: How many are running.
      type: int
      returned: success
    paused:
      description: How many are paused.
      type: int
      returned: success
    stopped:
      description: How many are stopped.
      type: int
      returned: success
    list:
      description:
        - The running containers, sorted by name, each with C(id), C(name), C(state) and C(networks), a dict of
          network name to C(ipv4), C(ipv6) (addresses without prefix length, V(null) when none), C(aliases)
          (without the short id the engine adds on its own) and C(mac).
      type: list
      elements: dict
      returned: when O(containers=true)
      sample:
        - id: 4f1c0e...
          name: web
          state: running
          networks:
            backend: {ipv4: 198.18.40.2, ipv6: null, aliases: [web], mac: '02:42:c6:12:28:02'}
plan:
  description: Always empty; the module changes nothing.
  returned: always
  type: list
  elements: dict
'''

from ansible_collections.netprov.dockernet.plugins.module_utils._engine.client import DOCKER_COMMON_ARGS, Engine
from ansible_collections.netprov.dockernet.plugins.module_utils._engine import host_info as _host_info
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module


def run(module):
    result = _host_info.read(Engine(module.params), with_containers=module.params['containers'])
    return dict(changed=False, plan=[], **result)


def main():
    run_module(dict(containers=dict(type='bool', default=False)), run, connection=DOCKER_COMMON_ARGS)


if __name__ == '__main__':
    main()
