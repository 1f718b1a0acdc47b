# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # Option names and environment fallbacks follow community.docker, so a
    # playbook moves over without renaming anything.
    DOCUMENTATION = r'''
options:
  docker_host:
    description:
      - The URL or Unix socket path of the Docker Engine API.
      - When the engine is reached over a local Unix socket, host checks (parent
        interfaces, kernel features) run in the network namespace of the engine's
        own process.
      - V(ssh://USER@HOST) or V(ssh://USER@HOST:PORT) reaches the engine of that host over SSH,
        through the Python package C(paramiko) or, with O(use_ssh_client=true), the C(ssh) client.
        The login needs a key (no password in the URL); the remote user must be able to run C(docker)
        there, which the SDK runs as C(docker system dial-stdio). Host checks (parent interfaces,
        kernel features) cannot run over such a connection; the modules warn and name the
        C(netprov.dockernet.preflight) role to run on that host instead.
      - If not set, the value of the E(DOCKER_HOST) environment variable is used.
    type: str
    default: unix:///var/run/docker.sock
    aliases: [docker_url]
  tls:
    description:
      - Use TLS to connect to the engine, without verifying its certificate.
      - Ignored if O(validate_certs=true).
    type: bool
    default: false
  validate_certs:
    description:
      - Use TLS and verify the engine's certificate.
      - If not set, the value of the E(DOCKER_TLS_VERIFY) environment variable is used.
    type: bool
    default: false
    aliases: [tls_verify]
  ca_path:
    description:
      - Path to the CA certificate that signed the engine's certificate.
      - If not set, C(ca.pem) under E(DOCKER_CERT_PATH) is used when that variable is set.
    type: path
    aliases: [ca_cert, tls_ca_cert, cacert_path]
  client_cert:
    description:
      - Path to the client's TLS certificate.
      - If not set, C(cert.pem) under E(DOCKER_CERT_PATH) is used when that variable is set.
    type: path
    aliases: [tls_client_cert, cert_path]
  client_key:
    description:
      - Path to the client's TLS key.
      - If not set, C(key.pem) under E(DOCKER_CERT_PATH) is used when that variable is set.
    type: path
    aliases: [tls_client_key, key_path]
  api_version:
    description:
      - The Engine API version to use, or V(auto) to use the engine's own.
      - If not set, the value of the E(DOCKER_API_VERSION) environment variable is used.
    type: str
    default: auto
    aliases: [docker_api_version]
  timeout:
    description:
      - Seconds to wait for one engine API call.
      - If not set, the value of the E(DOCKER_TIMEOUT) environment variable is used.
    type: int
    default: 60
  use_ssh_client:
    description:
      - For an C(ssh://) O(docker_host), connect with the C(ssh) command of the host that runs the
        module, and its configuration (C(~/.ssh/config), C(known_hosts), ssh-agent), instead of the
        Python package C(paramiko).
      - With V(false), paramiko offers the keys of ssh-agent and C(~/.ssh/id_*) of the user that runs
        the module, and refuses a host whose key is not in C(~/.ssh/known_hosts).
      - The docker SDK imports paramiko for any C(ssh://) URL, so it is needed either way.
      - Ignored for other O(docker_host) URLs.
    type: bool
    default: false
requirements:
  - docker (Python SDK) >= 6.0
  - paramiko, for an C(ssh://) O(docker_host)
'''
