#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type

# Generated from plugins/doc_fragments/network.py by scripts/gen_docs.py; edit those.
DOCUMENTATION = r'''
module: docker_networks
short_description: Manage a declared set of Docker networks on one engine in one call
version_added: 0.1.0
description:
- 'Brings every network listed in O(networks) to its spec in one module call: one listing of the engine, inspecting only
  the networks that may need a change, then the plan applied.'
- Each entry takes exactly the options of M(netprov.dockernet.docker_network), validated by the same argument spec and
  planned by the same core.
- Every entry is validated, including subnet overlaps between entries and with the engine, before anything is touched.
  A failure on one network while applying leaves the others as planned and is reported with what was and was not done;
  a re-run converges.
- With O(purge=true), managed networks (label C(netprov.dockernet.managed=true)) that are not listed are removed. Networks
  without that label, and the predefined ones, are never removed.
author:
- netprov.dockernet developers (@netprov)
extends_documentation_fragment:
- netprov.dockernet.docker
attributes:
  check_mode:
    support: full
    description: Returns the plan a real run applies, and changes nothing.
  diff_mode:
    support: full
    description: Returns each changed network before and after.
requirements:
- docker (Python SDK) >= 6.0
- pyroute2 >= 0.9, on the engine's host, for the parent and kernel checks
options:
  networks:
    description:
    - The networks, each with the options of M(netprov.dockernet.docker_network).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
        - The network's name.
        - The predefined networks C(bridge), C(host) and C(none) cannot be managed.
        type: str
        required: true
        aliases:
        - network_name
      state:
        description:
        - V(present) creates the network, or recreates it when it differs from the spec.
        - V(absent) removes it; with attached containers only when O(networks[].force=true).
        - Defaults to O(defaults.state) when it is set, else V(present).
        type: str
        choices:
        - present
        - absent
      driver:
        description:
        - The network driver, V(bridge) when the network is created and this is not set.
        - V(host) and V(none) are refused; attach containers to the predefined networks instead.
        type: str
      driver_options:
        description:
        - Driver options passed to the engine as they are, compared after normalising spellings (V(mtu) is C(com.docker.network.driver.mtu),
          V(macvlan.mode) is C(macvlan_mode)).
        type: dict
      parent:
        description:
        - The host interface a macvlan or ipvlan network hangs on. A dotted name such as V(eth1.30) makes the engine
          create an 802.1Q sub-interface of V(eth1), which must exist.
        type: str
      macvlan_mode:
        description: The macvlan mode; only with O(networks[].driver=macvlan).
        type: str
        choices:
        - bridge
        - private
        - vepa
        - passthru
      ipvlan_mode:
        description: The ipvlan mode; only with O(networks[].driver=ipvlan).
        type: str
        choices:
        - l2
        - l3
        - l3s
      ipvlan_flag:
        description: The ipvlan flag; only with O(networks[].driver=ipvlan).
        type: str
        choices:
        - bridge
        - private
        - vepa
      mtu:
        description:
        - The MTU of the network's interfaces (C(com.docker.network.driver.mtu)).
        - Given through O(networks[].driver_options), it must be digits only, as the engine reads it.
        type: int
      encrypted:
        description:
        - Encrypt the data plane of an overlay network with IPsec ESP. Only with O(networks[].driver=overlay).
        - Refused on a host whose kernel cannot create ESP states, where the overlay would drop all traffic.
        type: bool
      attachable:
        description: Let standalone containers attach to an overlay network.
        type: bool
      ingress:
        description:
        - Make this overlay the swarm's ingress network, the routing mesh's, which carries the ports services publish
          in ingress mode. Needs O(networks[].driver=overlay) (or O(networks[].driver) left out) and a swarm manager;
          an ingress network is never attachable and takes no O(networks[].containers).
        - A swarm has exactly one. When the engine has another (its default is named C(ingress); it may have another
          name), the plan is two steps, C(remove) of that one (marked C(replaced_by)) and C(create) of this one (marked
          C(replaces)); what is left out (a subnet, options, labels) is taken from the one replaced. The same name with
          a difference in what is given is replaced the same way.
        - Refused before anything changes while a swarm service publishes a port in ingress mode (the swarm cannot remove
          its ingress network then); the error names the services. Ports in host mode do not count.
        - If the create fails (or the swarm does not allocate the new network) after the old one was removed, the old
          one is made again from its recorded spec; if even that fails, the error gives its C(docker network create --ingress
          ...) command.
        - Engine 26.1 keeps an ingress network whose routing mesh has served a published port listed after its removal
          answered, and its name stays taken (seen to outlast leaving the swarm). Replacing it by one of the same name
          then fails after 120 s, and so does making it again; the error says the engine still holds it. Give the new
          one another name there.
        - Only what is given is compared; what the engine adds (its VXLAN id) is not a change. Left out, a network that
          is the ingress network is managed as it (V(false) on it is refused, as it cannot become an ordinary network
          in place).
        type: bool
      internal:
        description: Restrict external access to the network.
        type: bool
      enable_ipv6:
        description:
        - Enable IPv6. An IPv6 subnet in O(networks[].ipam_config) implies V(true) when this is not set; V(false) with
          an IPv6 subnet is refused.
        - When IPv6 has no subnet in O(networks[].ipam_config), the engine picks one (Engine 27 and later pick a ULA
          subnet); that pool is not compared.
        type: bool
      enable_ipv4:
        description:
        - Give the network IPv4. Compared and sent only when set. V(false) makes an IPv6-only network and needs Docker
          Engine 28.0 or later (API 1.48); on older engines every network has IPv4 and V(false) is refused.
        - V(false) needs IPv6 (O(networks[].enable_ipv6=true) or an IPv6 subnet in O(networks[].ipam_config)), and no
          IPv4 subnet.
        - When IPv4 has no subnet in O(networks[].ipam_config), the engine picks one (it does so beside IPv6-only subnets
          too); that pool is not compared.
        type: bool
      gateway_mode_ipv4:
        description:
        - How a bridge network's IPv4 reaches beyond the host (C(com.docker.network.bridge.gateway_mode_ipv4)); only
          with driver V(bridge). Left out, the engine uses V(nat), and V(nat) matches a network without the option.
        - V(nat) masquerades and publishes ports through NAT; V(routed) routes the containers' own addresses, no NAT;
          V(nat-unprotected) is V(nat) without the rules that keep other hosts from reaching container ports that are
          not published; V(isolated) gives the network no gateway at all, and needs O(networks[].internal=true).
        - V(nat) and V(routed) need Docker Engine 27.0 (API 1.46), V(nat-unprotected) and V(isolated) Engine 28.0 (API
          1.48); older engines store the option and ignore it, so there it is refused.
        type: str
        choices:
        - nat
        - routed
        - nat-unprotected
        - isolated
      gateway_mode_ipv6:
        description:
        - The same for the network's IPv6 (C(com.docker.network.bridge.gateway_mode_ipv6)), with the same values and
          engine releases.
        type: str
        choices:
        - nat
        - routed
        - nat-unprotected
        - isolated
      trusted_host_interfaces:
        description:
        - Host interfaces whose traffic may reach the containers of a bridge network directly, at their own addresses,
          as if it came from the network itself (C(com.docker.network.bridge.trusted_host_interfaces)); only with driver
          V(bridge). Compared as a set; V([]) asks for none.
        - Needs Docker Engine 28.2 (API 1.50); refused on older engines.
        type: list
        elements: str
      scope:
        description: The network's scope.
        type: str
        choices:
        - local
        - global
        - swarm
      config_only:
        description: Create a configuration-only network, a template for networks made with O(networks[].config_from).
        type: bool
      config_from:
        description: Create the network from this configuration-only network's addresses and options.
        type: str
      labels:
        description:
        - Labels of the network. Only the labels given are compared; labels the engine or others added are kept.
        - C(netprov.dockernet.managed=true) is always added; any other value of that label is refused.
        type: dict
      ipam_driver:
        description: The IPAM driver, C(default) when not set.
        type: str
      ipam_driver_options:
        description: Options of the IPAM driver.
        type: dict
      ipam_config:
        description:
        - The address pools. When not set (or empty), the engine picks a subnet and this is not compared.
        - Subnets are compared per address family, only in the families (IPv4, IPv6) given a subnet here; a pool the
          engine added for a family left out is kept and not compared. An entry that sets nothing is ignored.
        - Subnets must not overlap each other or another network on the engine.
        type: list
        elements: dict
        suboptions:
          subnet:
            description: A subnet in CIDR form; host bits are ignored (V(198.18.1.5/24) is V(198.18.1.0/24)).
            type: str
          iprange:
            description: The range within O(networks[].ipam_config[].subnet) that containers get addresses from.
            type: str
            aliases:
            - ip_range
          gateway:
            description: The gateway address, a host within the subnet (not its network or broadcast address).
            type: str
          aux_addresses:
            description: Addresses within the subnet that the engine must not hand out, by name.
            type: dict
      containers:
        description:
        - Containers that must be attached, with their endpoint settings.
        - Containers not listed are left attached unless O(networks[].containers_exclusive=true).
        - Stopped containers and containers created but never started that reference the network count as attached. They
          are compared, recorded and reattached like running ones, and named when they block a removal or a recreate.
        type: list
        elements: dict
        suboptions:
          name:
            description: The container's name, or its full or short id; an id matches the container's endpoint.
            type: str
            required: true
          aliases:
            description: The container's aliases on this network, exactly.
            type: list
            elements: str
          ipv4_address:
            description: A fixed IPv4 address, within a subnet of O(networks[].ipam_config).
            type: str
          ipv6_address:
            description: A fixed IPv6 address, within a subnet of O(networks[].ipam_config).
            type: str
          mac_address:
            description:
            - The container's MAC address on this network, compared with the one it has.
            - Set in a network connect only by Docker Engine 29.3 and later (API 1.54). Engines 25.0 to 29.2 take a MAC
              address only when the container is created (C(docker run --network NET --mac-address MAC)) and ignore it
              in a connect, so there a connect or reconnect that would need it is refused; one the container already
              has is compared and kept.
            type: str
          gw_priority:
            description:
            - Which of the container's networks gives it its default gateway; the endpoint with the highest priority
              does (the engine's default is V(0)). Needs Docker Engine 28.0 (API 1.48).
            type: int
          interface_name:
            description:
            - The name of the container's interface on this network (C(com.docker.network.endpoint.ifname)), instead
              of the engine's C(ethN). Needs Docker Engine 28.0 (API 1.48).
            type: str
          sysctls:
            description:
            - Sysctls of the container's interface on this network (C(com.docker.network.endpoint.sysctls)), each written
              as C(net.X.Y.IFNAME.Z) (X is C(ipv4), C(ipv6) or C(mpls); C(IFNAME) stands for the interface), for example
              C(net.ipv6.conf.IFNAME.accept_ra=2). Compared as given; V({}) asks for none. Needs Docker Engine 27.0 (API
              1.46).
            type: dict
      containers_exclusive:
        description:
        - Also disconnect the containers that are attached but not listed in O(networks[].containers).
        - Defaults to the module's own option of the same name when there is one, else to the default of M(netprov.dockernet.docker_network).
        type: bool
      recreate:
        description:
        - What to do when the network must be recreated to match the spec.
        - V(never) recreates it only when no container is attached, and otherwise fails naming them.
        - V(reconnect) records every endpoint (aliases, fixed addresses, links, driver options with the interface name
          and sysctls, the MAC address and the gateway priority), of running, stopped and created containers alike, recreates
          the network and reattaches each container exactly; if the new network cannot be created, the old one is restored
          with its containers.
        - V(always) recreates the network on every run, reconnecting as V(reconnect) does.
        - A network used by swarm services is never recreated; the module names the services.
        - The MAC address is sent back where a network connect sets it, Engine 29.3 (API 1.54) and later. Engine 20.10
          gives a container the MAC it was created with again on the network it was created on. Engines 25.0 to 29.2
          ignore a MAC in a network connect, so a reattached container gets one of the engine's choosing. There, where
          the container was created with a MAC address for this network (seen as C(Config.MacAddress) on the network
          it was created on, or on Engines 25 to 27 a MAC that is not the one they derive from the address), or where
          O(networks[].containers[].mac_address) asks for one, the recreate or reconnect is refused, naming the container.
          Engines 28.0 to 29.2 do not show a MAC set at create on another network as set; list it with O(networks[].containers[].mac_address)
          to have it kept the same way.
        - Defaults to the module's own option of the same name when there is one, else to the default of M(netprov.dockernet.docker_network).
        type: str
        choices:
        - never
        - reconnect
        - always
      force:
        description:
        - With O(networks[].state=absent), disconnect attached containers and remove the network.
        - Defaults to the module's own option of the same name when there is one, else to the default of M(netprov.dockernet.docker_network).
        type: bool
      kernel_check:
        description:
        - What to do when the engine's host kernel lacks a feature the network needs.
        - V(fail) refuses before anything is made, naming the feature; V(warn) creates the network and warns; V(skip)
          does not probe.
        - The parent interface is checked in every mode but V(skip).
        - Defaults to the module's own option of the same name when there is one, else to the default of M(netprov.dockernet.docker_network).
        type: str
        choices:
        - fail
        - warn
        - skip
      verify:
        description:
        - For an encrypted overlay, after the run wait until the kernel holds ESP states (Docker's reqid 0xd0c4e3, transport
          mode) in both directions towards every peer that has a container or task on the network, and fail naming the
          peers without them.
        - The check reads the kernel's xfrm state in the engine's network namespace, so the engine must be on the host
          the task runs on.
        - Defaults to the module's own option of the same name when there is one, else to the default of M(netprov.dockernet.docker_network).
        type: bool
      verify_timeout:
        description:
        - Seconds O(networks[].verify) waits for the ESP states.
        - Defaults to the module's own option of the same name when there is one, else to the default of M(netprov.dockernet.docker_network).
        type: int
  defaults:
    description:
    - 'Options merged under every entry of O(networks): an entry''s own value wins; maps (labels, driver_options, ipam_driver_options)
      are merged key by key.'
    - 'An entry''s own value also wins over a default written in another spelling: O(networks[].mtu) over C(driver_options.mtu),
      and the other way round.'
    - 'An entry with O(networks[].config_from) takes none of the defaults that its config-only network holds (labels,
      driver options, parent, modes, mtu, IPAM, enable_ipv6): the engine refuses them on such a network, which inherits
      the config-only network''s labels.'
    type: dict
    suboptions:
      state:
        description:
        - V(present) creates the network, or recreates it when it differs from the spec.
        - V(absent) removes it; with attached containers only when O(networks[].force=true).
        type: str
        choices:
        - present
        - absent
      driver:
        description:
        - The network driver, V(bridge) when the network is created and this is not set.
        - V(host) and V(none) are refused; attach containers to the predefined networks instead.
        type: str
      driver_options:
        description:
        - Driver options passed to the engine as they are, compared after normalising spellings (V(mtu) is C(com.docker.network.driver.mtu),
          V(macvlan.mode) is C(macvlan_mode)).
        type: dict
      parent:
        description:
        - The host interface a macvlan or ipvlan network hangs on. A dotted name such as V(eth1.30) makes the engine
          create an 802.1Q sub-interface of V(eth1), which must exist.
        type: str
      macvlan_mode:
        description: The macvlan mode; only with O(networks[].driver=macvlan).
        type: str
        choices:
        - bridge
        - private
        - vepa
        - passthru
      ipvlan_mode:
        description: The ipvlan mode; only with O(networks[].driver=ipvlan).
        type: str
        choices:
        - l2
        - l3
        - l3s
      ipvlan_flag:
        description: The ipvlan flag; only with O(networks[].driver=ipvlan).
        type: str
        choices:
        - bridge
        - private
        - vepa
      mtu:
        description:
        - The MTU of the network's interfaces (C(com.docker.network.driver.mtu)).
        - Given through O(networks[].driver_options), it must be digits only, as the engine reads it.
        type: int
      encrypted:
        description:
        - Encrypt the data plane of an overlay network with IPsec ESP. Only with O(networks[].driver=overlay).
        - Refused on a host whose kernel cannot create ESP states, where the overlay would drop all traffic.
        type: bool
      attachable:
        description: Let standalone containers attach to an overlay network.
        type: bool
      ingress:
        description:
        - Make this overlay the swarm's ingress network, the routing mesh's, which carries the ports services publish
          in ingress mode. Needs O(networks[].driver=overlay) (or O(networks[].driver) left out) and a swarm manager;
          an ingress network is never attachable and takes no O(networks[].containers).
        - A swarm has exactly one. When the engine has another (its default is named C(ingress); it may have another
          name), the plan is two steps, C(remove) of that one (marked C(replaced_by)) and C(create) of this one (marked
          C(replaces)); what is left out (a subnet, options, labels) is taken from the one replaced. The same name with
          a difference in what is given is replaced the same way.
        - Refused before anything changes while a swarm service publishes a port in ingress mode (the swarm cannot remove
          its ingress network then); the error names the services. Ports in host mode do not count.
        - If the create fails (or the swarm does not allocate the new network) after the old one was removed, the old
          one is made again from its recorded spec; if even that fails, the error gives its C(docker network create --ingress
          ...) command.
        - Engine 26.1 keeps an ingress network whose routing mesh has served a published port listed after its removal
          answered, and its name stays taken (seen to outlast leaving the swarm). Replacing it by one of the same name
          then fails after 120 s, and so does making it again; the error says the engine still holds it. Give the new
          one another name there.
        - Only what is given is compared; what the engine adds (its VXLAN id) is not a change. Left out, a network that
          is the ingress network is managed as it (V(false) on it is refused, as it cannot become an ordinary network
          in place).
        type: bool
      internal:
        description: Restrict external access to the network.
        type: bool
      enable_ipv6:
        description:
        - Enable IPv6. An IPv6 subnet in O(networks[].ipam_config) implies V(true) when this is not set; V(false) with
          an IPv6 subnet is refused.
        - When IPv6 has no subnet in O(networks[].ipam_config), the engine picks one (Engine 27 and later pick a ULA
          subnet); that pool is not compared.
        type: bool
      enable_ipv4:
        description:
        - Give the network IPv4. Compared and sent only when set. V(false) makes an IPv6-only network and needs Docker
          Engine 28.0 or later (API 1.48); on older engines every network has IPv4 and V(false) is refused.
        - V(false) needs IPv6 (O(networks[].enable_ipv6=true) or an IPv6 subnet in O(networks[].ipam_config)), and no
          IPv4 subnet.
        - When IPv4 has no subnet in O(networks[].ipam_config), the engine picks one (it does so beside IPv6-only subnets
          too); that pool is not compared.
        type: bool
      gateway_mode_ipv4:
        description:
        - How a bridge network's IPv4 reaches beyond the host (C(com.docker.network.bridge.gateway_mode_ipv4)); only
          with driver V(bridge). Left out, the engine uses V(nat), and V(nat) matches a network without the option.
        - V(nat) masquerades and publishes ports through NAT; V(routed) routes the containers' own addresses, no NAT;
          V(nat-unprotected) is V(nat) without the rules that keep other hosts from reaching container ports that are
          not published; V(isolated) gives the network no gateway at all, and needs O(networks[].internal=true).
        - V(nat) and V(routed) need Docker Engine 27.0 (API 1.46), V(nat-unprotected) and V(isolated) Engine 28.0 (API
          1.48); older engines store the option and ignore it, so there it is refused.
        type: str
        choices:
        - nat
        - routed
        - nat-unprotected
        - isolated
      gateway_mode_ipv6:
        description:
        - The same for the network's IPv6 (C(com.docker.network.bridge.gateway_mode_ipv6)), with the same values and
          engine releases.
        type: str
        choices:
        - nat
        - routed
        - nat-unprotected
        - isolated
      trusted_host_interfaces:
        description:
        - Host interfaces whose traffic may reach the containers of a bridge network directly, at their own addresses,
          as if it came from the network itself (C(com.docker.network.bridge.trusted_host_interfaces)); only with driver
          V(bridge). Compared as a set; V([]) asks for none.
        - Needs Docker Engine 28.2 (API 1.50); refused on older engines.
        type: list
        elements: str
      scope:
        description: The network's scope.
        type: str
        choices:
        - local
        - global
        - swarm
      config_only:
        description: Create a configuration-only network, a template for networks made with O(networks[].config_from).
        type: bool
      config_from:
        description: Create the network from this configuration-only network's addresses and options.
        type: str
      labels:
        description:
        - Labels of the network. Only the labels given are compared; labels the engine or others added are kept.
        - C(netprov.dockernet.managed=true) is always added; any other value of that label is refused.
        type: dict
      ipam_driver:
        description: The IPAM driver, C(default) when not set.
        type: str
      ipam_driver_options:
        description: Options of the IPAM driver.
        type: dict
      ipam_config:
        description:
        - The address pools. When not set (or empty), the engine picks a subnet and this is not compared.
        - Subnets are compared per address family, only in the families (IPv4, IPv6) given a subnet here; a pool the
          engine added for a family left out is kept and not compared. An entry that sets nothing is ignored.
        - Subnets must not overlap each other or another network on the engine.
        type: list
        elements: dict
        suboptions:
          subnet:
            description: A subnet in CIDR form; host bits are ignored (V(198.18.1.5/24) is V(198.18.1.0/24)).
            type: str
          iprange:
            description: The range within O(networks[].ipam_config[].subnet) that containers get addresses from.
            type: str
            aliases:
            - ip_range
          gateway:
            description: The gateway address, a host within the subnet (not its network or broadcast address).
            type: str
          aux_addresses:
            description: Addresses within the subnet that the engine must not hand out, by name.
            type: dict
      containers:
        description:
        - Containers that must be attached, with their endpoint settings.
        - Containers not listed are left attached unless O(networks[].containers_exclusive=true).
        - Stopped containers and containers created but never started that reference the network count as attached. They
          are compared, recorded and reattached like running ones, and named when they block a removal or a recreate.
        type: list
        elements: dict
        suboptions:
          name:
            description: The container's name, or its full or short id; an id matches the container's endpoint.
            type: str
            required: true
          aliases:
            description: The container's aliases on this network, exactly.
            type: list
            elements: str
          ipv4_address:
            description: A fixed IPv4 address, within a subnet of O(networks[].ipam_config).
            type: str
          ipv6_address:
            description: A fixed IPv6 address, within a subnet of O(networks[].ipam_config).
            type: str
          mac_address:
            description:
            - The container's MAC address on this network, compared with the one it has.
            - Set in a network connect only by Docker Engine 29.3 and later (API 1.54). Engines 25.0 to 29.2 take a MAC
              address only when the container is created (C(docker run --network NET --mac-address MAC)) and ignore it
              in a connect, so there a connect or reconnect that would need it is refused; one the container already
              has is compared and kept.
            type: str
          gw_priority:
            description:
            - Which of the container's networks gives it its default gateway; the endpoint with the highest priority
              does (the engine's default is V(0)). Needs Docker Engine 28.0 (API 1.48).
            type: int
          interface_name:
            description:
            - The name of the container's interface on this network (C(com.docker.network.endpoint.ifname)), instead
              of the engine's C(ethN). Needs Docker Engine 28.0 (API 1.48).
            type: str
          sysctls:
            description:
            - Sysctls of the container's interface on this network (C(com.docker.network.endpoint.sysctls)), each written
              as C(net.X.Y.IFNAME.Z) (X is C(ipv4), C(ipv6) or C(mpls); C(IFNAME) stands for the interface), for example
              C(net.ipv6.conf.IFNAME.accept_ra=2). Compared as given; V({}) asks for none. Needs Docker Engine 27.0 (API
              1.46).
            type: dict
      containers_exclusive:
        description:
        - Also disconnect the containers that are attached but not listed in O(networks[].containers).
        - Defaults to the module's own option of the same name when there is one, else to the default of M(netprov.dockernet.docker_network).
        type: bool
      recreate:
        description:
        - What to do when the network must be recreated to match the spec.
        - V(never) recreates it only when no container is attached, and otherwise fails naming them.
        - V(reconnect) records every endpoint (aliases, fixed addresses, links, driver options with the interface name
          and sysctls, the MAC address and the gateway priority), of running, stopped and created containers alike, recreates
          the network and reattaches each container exactly; if the new network cannot be created, the old one is restored
          with its containers.
        - V(always) recreates the network on every run, reconnecting as V(reconnect) does.
        - A network used by swarm services is never recreated; the module names the services.
        - The MAC address is sent back where a network connect sets it, Engine 29.3 (API 1.54) and later. Engine 20.10
          gives a container the MAC it was created with again on the network it was created on. Engines 25.0 to 29.2
          ignore a MAC in a network connect, so a reattached container gets one of the engine's choosing. There, where
          the container was created with a MAC address for this network (seen as C(Config.MacAddress) on the network
          it was created on, or on Engines 25 to 27 a MAC that is not the one they derive from the address), or where
          O(networks[].containers[].mac_address) asks for one, the recreate or reconnect is refused, naming the container.
          Engines 28.0 to 29.2 do not show a MAC set at create on another network as set; list it with O(networks[].containers[].mac_address)
          to have it kept the same way.
        - Defaults to the module's own option of the same name when there is one, else to the default of M(netprov.dockernet.docker_network).
        type: str
        choices:
        - never
        - reconnect
        - always
      force:
        description:
        - With O(networks[].state=absent), disconnect attached containers and remove the network.
        - Defaults to the module's own option of the same name when there is one, else to the default of M(netprov.dockernet.docker_network).
        type: bool
      kernel_check:
        description:
        - What to do when the engine's host kernel lacks a feature the network needs.
        - V(fail) refuses before anything is made, naming the feature; V(warn) creates the network and warns; V(skip)
          does not probe.
        - The parent interface is checked in every mode but V(skip).
        - Defaults to the module's own option of the same name when there is one, else to the default of M(netprov.dockernet.docker_network).
        type: str
        choices:
        - fail
        - warn
        - skip
      verify:
        description:
        - For an encrypted overlay, after the run wait until the kernel holds ESP states (Docker's reqid 0xd0c4e3, transport
          mode) in both directions towards every peer that has a container or task on the network, and fail naming the
          peers without them.
        - The check reads the kernel's xfrm state in the engine's network namespace, so the engine must be on the host
          the task runs on.
        - Defaults to the module's own option of the same name when there is one, else to the default of M(netprov.dockernet.docker_network).
        type: bool
      verify_timeout:
        description:
        - Seconds O(networks[].verify) waits for the ESP states.
        - Defaults to the module's own option of the same name when there is one, else to the default of M(netprov.dockernet.docker_network).
        type: int
  purge:
    description:
    - Remove the managed networks that are not listed in O(networks).
    - A network with containers attached is refused, naming them, unless O(force=true).
    - 'The swarm''s own networks are left alone: C(ingress) always, and a managed C(docker_gwbridge) (made by M(netprov.dockernet.docker_swarm)
      with C(gwbridge_subnet)) while the engine is in a swarm or anything is attached to it; once the engine has left
      its swarm and nothing uses it, it is removed like any other managed network.'
    type: bool
    default: false
  purge_labels:
    description:
    - Limit O(purge) to managed networks that also carry all of these labels, so that several stacks (or playbooks) can
      share one engine, each purging only its own.
    type: dict
  force:
    description:
    - With O(purge=true), disconnect containers from the networks it removes.
    - Also the default of each entry's O(networks[].force).
    type: bool
    default: false
  kernel_check:
    description:
    - The default of each entry's O(networks[].kernel_check).
    type: str
    default: fail
    choices:
    - fail
    - warn
    - skip
  recreate:
    description:
    - The default of each entry's O(networks[].recreate).
    type: str
    default: never
    choices:
    - never
    - reconnect
    - always
'''

EXAMPLES = r'''
- name: Every network this host should have, in one call
  netprov.dockernet.docker_networks:
    defaults:
      labels:
        owner: platform
    networks:
      - name: frontend
        ipam_config:
          - subnet: 198.18.40.0/24
      - name: backend
        internal: true
        ipam_config:
          - subnet: 198.18.41.0/24
      - name: lan
        driver: macvlan
        parent: eth1
        ipam_config:
          - subnet: 198.18.42.0/24
            gateway: 198.18.42.1

- name: Bridge gateway modes (Engine 27.0 and later; nat-unprotected, isolated and trusted interfaces need 28.x)
  netprov.dockernet.docker_networks:
    networks:
      - name: routed-lan
        gateway_mode_ipv4: routed
        trusted_host_interfaces: [eth1]
        ipam_config:
          - subnet: 198.18.43.0/24
      - name: sealed
        internal: true
        gateway_mode_ipv4: isolated
        ipam_config:
          - subnet: 198.18.44.0/24

- name: The same, and remove managed networks that are no longer listed
  netprov.dockernet.docker_networks:
    purge: true
    networks:
      - name: frontend
        ipam_config:
          - subnet: 198.18.40.0/24
'''

RETURN = r'''
changed:
  description: Whether any network was (or in check mode, would be) changed.
  returned: always
  type: bool
plan:
  description:
    - Every step of the run, network by network, in the format of M(netprov.dockernet.docker_network)'s RV(plan).
    - In check mode it is what a real run would do; a real run returns the same steps.
  returned: always
  type: list
  elements: dict
created:
  description: Networks created.
  returned: always
  type: list
  elements: str
updated:
  description: Networks whose attached containers changed, the network itself unchanged.
  returned: always
  type: list
  elements: str
recreated:
  description: Networks recreated to match their spec.
  returned: always
  type: list
  elements: str
removed:
  description: Networks removed (O(networks[].state=absent) or O(purge)).
  returned: always
  type: list
  elements: str
unchanged:
  description: Networks that already matched.
  returned: always
  type: list
  elements: str
reconnected:
  description: Containers reattached after their network was recreated.
  returned: always
  type: list
  elements: str
reconnect_failed:
  description:
    - Containers that could not be reattached after their network was recreated (for example removed meanwhile);
      a warning says why for each.
  returned: always
  type: list
  elements: str
done:
  description: The networks whose steps were all applied, when some others failed while applying.
  returned: on failure while applying
  type: list
  elements: str
not_done:
  description: The networks whose steps failed while applying (see RV(failed_networks)); a re-run picks them up.
  returned: on failure while applying
  type: list
  elements: str
encryption:
  description: With O(networks[].verify=true), each verified network's ESP report, by name.
  returned: when not in check mode
  type: dict
failed_networks:
  description: Networks whose steps failed while applying, each with C(network), C(msg), C(done) and C(not_done).
  returned: on failure while applying
  type: list
  elements: dict
diff:
  description: The changed networks' summaries before and after, by name.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: Each changed network before the run.
      type: dict
      returned: always
    after:
      description: Each changed network after the run (predicted in check mode).
      type: dict
      returned: always
'''

from ansible_collections.netprov.dockernet.plugins.module_utils._network.bulk import apply_all, plan_all, summarise, verify_all
from ansible_collections.netprov.dockernet.plugins.module_utils._engine.client import DOCKER_COMMON_ARGS, Engine
from ansible_collections.netprov.dockernet.plugins.module_utils._network.core import EngineState, predict, summary
from ansible_collections.netprov.dockernet.plugins.module_utils._network.plan import is_change, shown
from ansible_collections.netprov.dockernet.plugins.module_utils._common.runner import run_module
from ansible_collections.netprov.dockernet.plugins.module_utils._network.spec import defaults_options, network_options


def entry_options():
    """One entry's options: those of docker_network, with no default state, so that defaults.state applies."""
    options = network_options(top_level=False)
    options['state'].pop('default')
    return options


def argument_spec():
    spec = dict(
        networks=dict(type='list', elements='dict', required=True, options=entry_options()),
        defaults=dict(type='dict', options=defaults_options()),
        purge=dict(type='bool', default=False),
        purge_labels=dict(type='dict'),
        force=dict(type='bool', default=False),
        kernel_check=dict(type='str', default='fail', choices=['fail', 'warn', 'skip']),
        recreate=dict(type='str', default='never', choices=['never', 'reconnect', 'always']),
    )
    spec.update(DOCKER_COMMON_ARGS)
    return spec


def _strip_none(d):
    return dict((k, v) for k, v in (d or {}).items() if v is not None)


def run(module):
    p = module.params
    engine = Engine(p)
    state = EngineState(engine)
    entries = [_strip_none(e) for e in p['networks']]
    planned, warnings = plan_all(state, entries, _strip_none(p['defaults']), p, p['purge'],
                                 p['purge_labels'])
    steps = [s for _name, network_steps, _want, _path in planned for s in network_steps]
    result = dict(changed=any(is_change(item[1]) for item in planned), plan=shown(steps), reconnected=[],
                  reconnect_failed=[])
    result.update(summarise(planned))
    changed_names = [item[0] for item in planned if is_change(item[1])]
    before = dict((n, summary(state.full(n))) for n in changed_names) if module._diff else {}
    failed, after = [], {}
    if result['changed'] and not module.check_mode:
        done, failed, warns, reconnected, reconnect_failed = apply_all(state, planned)
        warnings.extend(warns)
        result['reconnected'] = reconnected
        result['reconnect_failed'] = reconnect_failed
        if module._diff:
            fresh = EngineState(engine)
            after = dict((n, summary(fresh.full(n))) for n in changed_names)
    elif module._diff:
        after = dict((item[0], predict(state.full(item[0]), item[1])) for item in planned if is_change(item[1]))
    if not module.check_mode:
        result['encryption'] = verify_all(state, planned, failed)
    result.update(diff=dict(before=before, after=after), warnings=warnings)
    if failed:
        # Report as created/updated/... only what was done; say what was and what was not.
        not_done = sorted(set(f['network'] for f in failed))
        for key in ('created', 'updated', 'recreated', 'removed'):
            result[key] = [n for n in result[key] if n not in not_done]
        result.update(done=done, not_done=not_done)
        lines = ['%s: %s' % (f['network'], f['msg']) for f in failed]
        result.update(failed=True, failed_networks=failed,
                      msg='%d network(s) failed; the others were applied as planned:\n%s\ndone: %s'
                      % (len(failed), '\n'.join(lines), ', '.join(done) or 'nothing'))
    return result


def main():
    run_module(argument_spec(), run)


if __name__ == '__main__':
    main()
