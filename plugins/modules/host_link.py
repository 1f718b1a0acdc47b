#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: host_link
short_description: Manage one kernel network link through netlink
version_added: 0.1.0
description:
  - Creates, changes or removes one network link on the managed host through
    netlink (pyroute2), never by running C(ip).
  - Kinds vlan, macvlan, ipvlan, bridge, veth, vxlan and dummy; MTU, promiscuous
    mode, administrative state, bridge master, MAC address and addresses.
  - A kind the kernel lacks is found by a real probe in a scratch network
    namespace and refused before anything is made, naming the kind.
  - The management path is protected. A link that carries a default route or
    the local address of the SSH session the task came in on, or that such a
    link stands on, is never deleted, taken down, moved to another master, or
    changed in MTU, MAC or addresses unless O(allow_management=true).
  - The SSH session is read from the kernel, also under C(become) (sudo drops
    E(SSH_CONNECTION)) - the sshd among the module's parent processes and its
    TCP connection in the socket table (C(/proc/PID/fd), C(/proc/net/tcp)). With
    no sshd among them (a local connection) there is no session to guard.
    E(SSH_CONNECTION) only picks the session among several connections of that
    sshd, or names it, once found in the socket table, when the sshd's sockets
    cannot be read (a module not run as root, which warns).
  - Settings that are fixed when a link is made (kind, parent, VLAN id, modes,
    VXLAN settings, veth peer) are changed only by removing and re-creating the
    link, and only with O(recreate=true).
extends_documentation_fragment: [netprov.dockernet.host]
author:
  - netprov.dockernet developers (@netprov)
options:
  name:
    description: Name of the link (1-15 characters).
    type: str
    required: true
  state:
    description:
      - V(present) makes sure the link exists, leaving its up/down state alone
        (a new link stays down).
      - V(up) and V(down) also set its administrative state.
      - V(absent) removes it. The kernel deletes with a link its veth peer and the
        macvlan, ipvlan, VLAN and vxlan links that stand on it, in this network
        namespace or in any other (a container's macvlan or ipvlan endpoint); a
        removal that would take any of them is refused, naming each, unless O(force=true).
    type: str
    choices: [present, absent, up, down]
    default: present
  kind:
    description:
      - Kind of link to create.
      - Omit it to manage an existing link (a physical interface, for example),
        changing only the options given; the link must exist.
    type: str
    choices: [vlan, macvlan, ipvlan, bridge, veth, vxlan, dummy]
  parent:
    description:
      - The link a vlan, macvlan or ipvlan link stands on (required for those),
        or the underlay device of a vxlan link. It must exist.
    type: str
  vlan_id:
    description: 802.1Q VLAN id, 1-4094; required for O(kind=vlan).
    type: int
  macvlan_mode:
    description: Mode of a macvlan link; when creating and not given, V(bridge).
    type: str
    choices: [private, vepa, bridge, passthru, source]
  ipvlan_mode:
    description:
      - Mode of an ipvlan link; when creating and not given, the kernel's default (V(l3)).
      - The kernel keeps the mode and flag per parent, for all its ipvlan links, so a
        new ipvlan link in another mode than its siblings is refused, and so is
        mixing macvlan and ipvlan links on one parent.
    type: str
    choices: [l2, l3, l3s]
  ipvlan_flag:
    description: Flag of an ipvlan link.
    type: str
    choices: [bridge, private, vepa]
  peer:
    description: Name of the other end of a veth pair; required for O(kind=veth).
    type: str
  vxlan_id:
    description: VXLAN network identifier, 0-16777215; required for O(kind=vxlan).
    type: int
  vxlan_local:
    description: Local underlay address of a vxlan link.
    type: str
  vxlan_remote:
    description: Unicast underlay address of the one peer of a vxlan link.
    type: str
  vxlan_group:
    description: Multicast group of a vxlan link.
    type: str
  vxlan_port:
    description: UDP destination port of a vxlan link, 1-65535; when creating and not given, 4789 (IANA).
    type: int
  mtu:
    description: MTU in bytes, 68-65535.
    type: int
  promisc:
    description: Promiscuous mode (what a macvlan parent often needs).
    type: bool
  master:
    description:
      - The bridge this link is a port of; it must exist and be a bridge.
      - An empty string releases the link from its master.
    type: str
  mac:
    description: MAC address, V(aa:bb:cc:dd:ee:ff).
    type: str
  addresses:
    description:
      - Addresses in CIDR form (V(198.18.192.10/24), V(fd00::1/64)) the link must have.
      - An IPv6 link-local address (V(fe80::1/64)) given here is added when missing. The ones the
        kernel makes for every link are left alone, and O(addresses_exclusive) never removes an IPv6
        link-local address.
    type: list
    elements: str
  addresses_exclusive:
    description: Remove addresses of the link that are not in O(addresses).
    type: bool
    default: false
  allow_management:
    description: Allow changes that could cut the management path (see description).
    type: bool
    default: false
  recreate:
    description:
      - Allow removing and re-creating the link to change a setting fixed at creation.
      - If the new link cannot be made, the old one is put back as it was (kind settings,
        MAC, MTU, master, promiscuous mode, addresses, state) and the run fails saying so,
        with C(restored) in the result. Routes through the link go with it.
      - The new link keeps the addresses, MTU, bridge master, promiscuous mode and up state of
        the one it replaces, where the task does not set them (O(addresses) with
        O(addresses_exclusive=true) replaces the addresses; an MTU the new link cannot carry is
        left to the kernel).
      - Refused, like O(state=absent), when the kernel would delete other links with the
        old one, unless O(force=true).
    type: bool
    default: false
  force:
    description:
      - Remove the link (O(state=absent) or O(recreate=true)) even though the kernel deletes
        other links with it - its veth peer, the macvlan, ipvlan, VLAN and vxlan links on it,
        here or in other network namespaces (found by reading every namespace of the host -
        C(/run/netns), C(/run/docker/netns), other bind mounts and those of running processes).
      - The plan's remove step then names them in C(goes_with).
      - Links on the management path still need O(allow_management=true).
    type: bool
    default: false
  kernel_check:
    description:
      - What to do when the kernel lacks the link kind, found by a real probe.
      - V(fail) refuses before anything is made, V(warn) tries anyway and warns,
        V(skip) does not probe.
    type: str
    choices: [fail, warn, skip]
    default: fail
  persist:
    description:
      - Also write systemd-networkd files so the link survives a reboot
        (C(10-netprov-NAME.netdev), C(10-netprov-NAME.network), and for stacked
        links a drop-in attaching it to its parent's C(.network) file).
      - With O(state=absent), removes the files written for the link.
      - systemd-networkd configures the host's own namespace only.
    type: bool
    default: false
  persist_dir:
    description: Directory of the systemd-networkd files.
    type: path
    default: /etc/systemd/network
  persist_parent_network:
    description:
      - File name of the parent's C(.network) file, for the drop-in that attaches
        a vlan, macvlan, ipvlan or vxlan link to it. Default is the file this
        module writes for the parent (C(10-netprov-PARENT.network)).
    type: str
notes:
  - Check mode and diff mode are supported; the plan returned in check mode is
    exactly what a real run applies.
  - If a step fails after this run created the link, the link is removed again.
'''

EXAMPLES = r'''
- name: A promiscuous parent for macvlan networks
  netprov.dockernet.host_link:
    name: eth1
    promisc: true
    state: up

- name: A macvlan shim so the host reaches its own macvlan containers
  netprov.dockernet.host_link:
    name: mvshim
    kind: macvlan
    parent: eth1
    macvlan_mode: bridge
    addresses: [198.18.192.250/32]
    state: up
    persist: true

- name: A VLAN sub-interface
  netprov.dockernet.host_link:
    name: eth1.10
    kind: vlan
    parent: eth1
    vlan_id: 10
    mtu: 1500
    state: up

- name: A bridge and a veth pair with one end in it
  netprov.dockernet.host_link:
    name: "{{ item.name }}"
    kind: "{{ item.kind }}"
    peer: "{{ item.peer | default(omit) }}"
    master: "{{ item.master | default(omit) }}"
    state: up
  loop:
    - {name: br-lab, kind: bridge}
    - {name: veth-a, kind: veth, peer: veth-b, master: br-lab}
'''

RETURN = r'''
changed:
  description: Whether anything was (or in check mode would be) changed.
  returned: always
  type: bool
plan:
  description:
    - The ordered steps, each with C(action) (create, remove, set, add_address,
      remove_address, write_file, remove_file), C(reason) and C(link), plus
      C(field)/C(before)/C(after) for set and C(path) for files.
  returned: always
  type: list
  elements: dict
link:
  description:
    - The link after the run (in check mode, as it would be), normalised as
      M(netprov.dockernet.host_network_info) returns links; null when absent.
    - C(addresses) leaves out the IPv6 link-local addresses; C(link_local) lists them.
  returned: always
  type: dict
  sample: {name: mvshim, kind: macvlan, parent: eth1, mtu: 1500, state: up, promisc: false,
           master: null, mac: "aa:bb:cc:dd:ee:ff", addresses: [198.18.192.250/32],
           link_local: ["fe80::a8bb:ccff:fedd:eeff/64"], macvlan_mode: bridge}
restored:
  description:
    - After a failed recreate, whether the old link was put back (V(false) when
      putting it back failed too; the message then says so).
  returned: when a recreate failed after removing the old link
  type: bool
management:
  description: Why the link is on the management path, or null.
  returned: always
  type: str
diff:
  description: The fields given, before and after.
  returned: in diff mode
  type: dict
'''

from ansible_collections.netprov.dockernet.plugins.module_utils._host import links as _links, linkset as _linkset, netlink as _netlink
from ansible_collections.netprov.dockernet.plugins.module_utils._common.hostargs import HOST_COMMON_ARGS
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module
from ansible_collections.netprov.dockernet.plugins.module_utils._session import ssh


def run(module):
    p = module.params
    results, _order = _linkset.converge([p], p['netns'], allow_management=p['allow_management'],
                                        kernel_check=p['kernel_check'], check_mode=module.check_mode,
                                        session=ssh.for_module(module, _netlink.netns_path(p['netns'])),
                                        warn=module.warn)
    one = results[0]
    return {'changed': one['changed'], 'plan': one['plan'], 'link': one['link'], 'management': one['management'],
            'diff': one['diff']}


def main():
    run_module(dict(_links.CALL_OPTIONS, **_links.LINK_OPTIONS), run, connection=HOST_COMMON_ARGS,
               mutually_exclusive=_links.LINK_MUTUALLY_EXCLUSIVE)


if __name__ == '__main__':
    main()
