# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One connection to the Docker Engine per run, over the docker SDK's APIClient.

Option names and environment fallbacks are community.docker's. Every SDK or
transport failure becomes an EngineError naming the engine and the fix.
"""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import socket
import struct
import subprocess
import traceback

from ansible.module_utils.basic import env_fallback

from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import EngineError, ValidationError

try:
    import docker
    from docker.errors import APIError, DockerException, NotFound
    HAS_DOCKER = True
    DOCKER_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised only without the SDK
    HAS_DOCKER = False
    DOCKER_IMPORT_ERROR = traceback.format_exc()

    class APIError(Exception):
        pass

    class DockerException(Exception):
        pass

    class NotFound(Exception):
        pass

try:
    from requests.exceptions import RequestException
except ImportError:  # pragma: no cover
    class RequestException(Exception):
        pass

try:
    # The SDK's ssh:// transport imports paramiko, also when use_ssh_client runs the ssh client instead;
    # its SSHException is in every except tuple below that catches a failed connection or call.
    from paramiko import SSHException
    HAS_PARAMIKO = True
except ImportError:
    HAS_PARAMIKO = False

    class SSHException(Exception):
        pass

if HAS_DOCKER:
    class _APIClient(docker.APIClient):
        """The SDK's client, but the TLS settings given win: requests lets REQUESTS_CA_BUNDLE or
        CURL_CA_BUNDLE replace a session's CA (ca_path) and turn verification on where it is off."""

        def merge_environment_settings(self, url, proxies, stream, verify, cert):
            return super(_APIClient, self).merge_environment_settings(
                url, proxies, stream, self.verify if verify is None else verify, cert)

        def _retrieve_server_version(self):
            # Over SSH the first request is where a missing docker CLI on the remote, or (with the ssh
            # client) any failed login, shows up, as a bare "Connection aborted": say what the remote said.
            try:
                return super(_APIClient, self)._retrieve_server_version()
            except DockerException as exc:
                said = with_ssh_says(self, _short(exc))
                if said != _short(exc):
                    raise DockerException(said)
                raise

# What a refused connection says -> what to fix (the option to set); the first match counts.
_REACH_HINTS = (
    ('mismatch', "the engine's certificate does not name this host: give docker_host the name or address that its "
                 "certificate has"),
    ('CERTIFICATE_VERIFY_FAILED', "the engine's certificate is not signed by a CA this client trusts: set ca_path to "
                                  "the CA that signed it (or validate_certs: false to skip the check)"),
    ('CERTIFICATE_REQUIRED', 'the engine asks for a client certificate: set client_cert and client_key'),
    ('ALERT_BAD_CERTIFICATE', 'the engine refused the client certificate: set client_cert and client_key to a '
                              'certificate signed by the CA that the engine trusts (its --tlscacert)'),
    ('HTTP request to an HTTPS server', 'the engine speaks TLS on this port: set tls: true, or validate_certs: true '
                                        'with ca_path'),
    ('is too old', "the engine no longer accepts this API version (Engine 29 and later accept 1.44 and newer): set "
                   "api_version to auto, the default, which speaks the engine's own version, or to one the engine "
                   "accepts (its MinAPIVersion), and unset DOCKER_API_VERSION if it names an old one"),
    ('WRONG_VERSION_NUMBER', 'the engine does not speak TLS on this port: set tls: false and validate_certs: false, '
                             "or point docker_host at the engine's TLS port"),
)
_REACH_DEFAULT = ('start the engine (dockerd) or set docker_host (or DOCKER_HOST) to the socket or URL where it '
                  'listens')


_SSH_LOGIN = ('the host refused the SSH login: give the user that docker_host names (ssh://USER@HOST) a key that '
              "the host accepts (its authorized_keys). With use_ssh_client: false, paramiko offers ssh-agent's keys "
              'and ~/.ssh/id_* of the user running the module; with use_ssh_client: true, the ssh client offers what '
              'its configuration (~/.ssh/config) names')
_SSH_HOST_KEY = ("this client does not know the SSH host key of the host that docker_host names: add the host's key "
                 'to ~/.ssh/known_hosts of the user running the module (checked against the host itself). '
                 'paramiko (use_ssh_client: false) refuses an unknown host; with use_ssh_client: true, the ssh '
                 "client's StrictHostKeyChecking decides")
_SSH_NO_CLI = ('the SSH login worked, but that host has no docker command on the login\'s PATH: install the Docker '
               'CLI on the host that docker_host names (the SDK runs `docker system dial-stdio` there, with either '
               'use_ssh_client)')
_SSH_UNREACHED = ('nothing answers SSH at the host and port that docker_host names: check docker_host '
                  '(ssh://USER@HOST:PORT, port 22 if none) and that sshd runs there; with use_ssh_client: true, the '
                  "ssh client's configuration for that host (HostName, Port) applies too")
# The same for an ssh:// docker_host: what paramiko, the ssh client or the remote shell said -> what to fix.
_SSH_HINTS = (
    ("No such file or directory: 'ssh'", 'use_ssh_client: true runs the ssh client, and the host running this '
                                         'module has none on its PATH: install OpenSSH\'s client there, or set '
                                         'use_ssh_client: false to connect through paramiko'),
    ('Authentication failed', _SSH_LOGIN),
    ('Permission denied (', _SSH_LOGIN),
    ('Permission denied, please try again', _SSH_LOGIN),
    ('not found in known_hosts', _SSH_HOST_KEY),
    ('Host key verification failed', _SSH_HOST_KEY),
    ('Host key for server', _SSH_HOST_KEY),
    ('REMOTE HOST IDENTIFICATION HAS CHANGED', _SSH_HOST_KEY),
    ('docker: command not found', _SSH_NO_CLI),
    ('docker: not found', _SSH_NO_CLI),
    ('permission denied while trying to connect to the docker', 'the SSH user may not use the engine on that '
                                                                'host: add it to the docker group there, or name a '
                                                                'user in docker_host (ssh://USER@HOST) who may'),
    ('Cannot connect to the Docker daemon', 'the SSH login worked, but no engine answers on that host: start '
                                            'dockerd on the host that docker_host names'),
    ('Unable to connect to port', _SSH_UNREACHED),
    ('Connection refused', _SSH_UNREACHED),
    ('No route to host', _SSH_UNREACHED),
    ('Network is unreachable', _SSH_UNREACHED),
    ('timed out', _SSH_UNREACHED),
    ('Could not resolve hostname', _SSH_UNREACHED),
    ('Name or service not known', _SSH_UNREACHED),
)
_SSH_DEFAULT = ('check docker_host (ssh://USER@HOST:PORT) and that this user can run `docker version` on that host '
                'over SSH; use_ssh_client: true connects with the ssh client and its configuration instead of '
                'paramiko')


def reach_hint(text, ssh=False):
    """What to do about a connection the engine refused or could not be made, from the error's text
    (``ssh``: docker_host is an ssh:// URL)."""
    hints, default = (_SSH_HINTS + _REACH_HINTS, _SSH_DEFAULT) if ssh else (_REACH_HINTS, _REACH_DEFAULT)
    return next((hint for key, hint in hints if key.lower() in text.lower()), default)


# What the diagnosis runs on the remote host: it fails the way `docker system dial-stdio` does, and says why.
_SSH_PROBE = "docker version --format '{{.Server.APIVersion}}'"


def ssh_says(api):
    """What the remote host (or the SSH login to it) says when asked for the engine's version, as the SDK's
    connection would ask; None when it answers or when ``api`` is not an SSH connection."""
    adapter = getattr(api, '_custom_adapter', None)
    if not hasattr(adapter, 'ssh_host'):
        return None
    timeout = api.timeout if isinstance(api.timeout, (int, float)) else 60
    try:
        if adapter.ssh_client is not None:  # paramiko, logged in already
            _stdin, stdout, stderr = adapter.ssh_client.exec_command(_SSH_PROBE, timeout=timeout)
            stdout.read()
            said = stderr.read()
            code = stdout.channel.recv_exit_status()
        else:  # the ssh client, asked the way the SDK asks it (user, port, host), never for a password
            user, host, port = _ssh_target(adapter.ssh_host)
            argv = (['ssh', '-o', 'BatchMode=yes'] + (['-l', user] if user else []) + (['-p', port] if port else [])
                    + ['--', host, _SSH_PROBE])
            proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False)
            said, code = proc.stderr, proc.returncode
    except subprocess.TimeoutExpired:
        return 'no answer within %s s' % timeout
    except (SSHException, OSError) as exc:
        return _short(exc)
    if code == 0:
        return None
    return ' '.join(_text(said).split())[:300] or 'exit status %s' % code


def with_ssh_says(api, text):
    """``text`` (a failed first request's error), and what the remote host says, when over SSH."""
    said = ssh_says(api)
    return '%s; over SSH: %s' % (text, said) if said else text


def _ssh_target(host):
    """USER@HOST:PORT -> (user, host, port), as the SDK's SSH socket splits it."""
    user = port = None
    if ':' in host:
        host, port = host.split(':', 1)
    if '@' in host:
        user, host = host.split('@', 1)
    return user, host, port


def check_ssh_url(url):
    """An ssh:// docker_host: the SDK needs paramiko for it, and a password in it would be ignored and logged."""
    netloc = url[len('ssh://'):].split('/', 1)[0]
    if ':' in netloc.rsplit('@', 1)[0] and '@' in netloc:
        raise ValidationError('an ssh:// URL takes no password (the SDK would not use it, and it would show in '
                              'logs): write ssh://USER@HOST[:PORT] and log in with a key, from ssh-agent or ~/.ssh '
                              'of the user running the module', path='docker_host')
    if not HAS_PARAMIKO:
        raise EngineError(
            "docker_host is an ssh:// URL, which the docker SDK reaches only with the Python package paramiko "
            "installed (also with use_ssh_client: true, where the ssh client carries the connection); install it "
            "for the interpreter running this module (pip install paramiko) or point ansible_python_interpreter "
            "at a Python that has it")


DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock'

DOCKER_COMMON_ARGS = dict(
    docker_host=dict(type='str', default=DEFAULT_DOCKER_HOST, aliases=['docker_url'],
                     fallback=(env_fallback, ['DOCKER_HOST'])),
    tls=dict(type='bool', default=False),
    validate_certs=dict(type='bool', default=False, aliases=['tls_verify'],
                        fallback=(env_fallback, ['DOCKER_TLS_VERIFY'])),
    ca_path=dict(type='path', aliases=['ca_cert', 'tls_ca_cert', 'cacert_path']),
    client_cert=dict(type='path', aliases=['tls_client_cert', 'cert_path']),
    client_key=dict(type='path', aliases=['tls_client_key', 'key_path'], no_log=False),
    api_version=dict(type='str', default='auto', aliases=['docker_api_version'],
                     fallback=(env_fallback, ['DOCKER_API_VERSION'])),
    timeout=dict(type='int', default=60, fallback=(env_fallback, ['DOCKER_TIMEOUT'])),
    use_ssh_client=dict(type='bool', default=False),
)


def _tls_config(params):
    cert_dir = os.environ.get('DOCKER_CERT_PATH')
    ca = params.get('ca_path') or (cert_dir and os.path.join(cert_dir, 'ca.pem'))
    cert = params.get('client_cert') or (cert_dir and os.path.join(cert_dir, 'cert.pem'))
    key = params.get('client_key') or (cert_dir and os.path.join(cert_dir, 'key.pem'))
    if not (params.get('tls') or params.get('validate_certs')):
        return False
    client_cert = (cert, key) if cert and key else None
    return docker.tls.TLSConfig(client_cert=client_cert, ca_cert=ca if params.get('validate_certs') else None,
                                verify=bool(params.get('validate_certs')))


def check_api_version(value):
    """'auto' or MAJOR.MINOR: the SDK itself fails with a bare ValueError on anything else."""
    if value not in (None, '', 'auto') and not re.match(r'^[0-9]+\.[0-9]+$', value):
        raise ValidationError('%r is not a Docker API version; write it like 1.41, or auto to ask the engine'
                              % (value,), path='api_version')


def _unix_path(url):
    if url.startswith('unix://'):
        return url[len('unix://'):]
    if url.startswith('/'):
        return url
    return None


class Engine(object):
    """A connected engine: the calls the core needs, errors made readable."""

    def __init__(self, params):
        if not HAS_DOCKER:
            raise EngineError(
                "the Python 'docker' SDK is not installed for the interpreter running this module; "
                "install it on the target (pip install 'docker>=6') or point ansible_python_interpreter "
                "at a Python that has it", details=DOCKER_IMPORT_ERROR)
        check_api_version(params.get('api_version'))
        if params.get('timeout') is not None and params['timeout'] < 0:
            # urllib3 raises a bare ValueError on the first call made with it
            raise ValidationError('%d is not a timeout; give the seconds to wait for the engine (default 60)'
                                  % params['timeout'], path='timeout')
        self.url = params.get('docker_host') or DEFAULT_DOCKER_HOST
        if self.url.startswith('/'):
            self.url = 'unix://' + self.url
        ssh = self.url.startswith('ssh://')
        where = self.url
        if ssh:
            check_ssh_url(self.url)
            where = '%s through %s' % (self.url, 'the ssh client (use_ssh_client: true)' if params.get(
                'use_ssh_client') else 'paramiko (use_ssh_client: false)')
        try:
            self.api = _APIClient(base_url=self.url, version=params.get('api_version') or 'auto',
                                  timeout=params.get('timeout') or 60, tls=_tls_config(params),
                                  use_ssh_client=bool(params.get('use_ssh_client')))
        except (DockerException, RequestException, OSError, SSHException) as exc:
            raise EngineError('cannot reach the Docker Engine at %s (%s); %s'
                              % (where, _short(exc), reach_hint(_short(exc), ssh)))
        if (params.get('api_version') or 'auto') != 'auto':
            # With version='auto' the client already asked the engine (GET /version) and failed here if
            # it could not; a pinned version makes no request, so reach the engine once now.
            try:
                self.api.ping()
            except (DockerException, RequestException, OSError, SSHException) as exc:
                said = with_ssh_says(self.api, _short(exc))
                raise EngineError('cannot reach the Docker Engine at %s (%s); %s'
                                  % (where, said, reach_hint(said, ssh)))
        self._netns = False
        self._version_info = None
        self._pid = False

    @property
    def version_info(self):
        """The engine's GET /version answer, asked for only when needed (no module needs it on every run)."""
        if self._version_info is None:
            self._version_info = self.call('engine version', self.api.version)
        return self._version_info

    # -- what this engine is -------------------------------------------------
    @property
    def server_version(self):
        return self.version_info.get('Version', '')

    @property
    def api_version(self):
        """The API version this client speaks with the engine (negotiated with version=auto), e.g. '1.41'."""
        return self.api.api_version

    @property
    def is_local(self):
        return _unix_path(self.url) is not None

    def pid(self):
        """The pid of the engine's process (the unix socket's peer), or None when not local or unknown."""
        if self._pid is not False:
            return self._pid
        self._pid = None
        path = _unix_path(self.url)
        if path is None:
            return None
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                self._pid = struct.unpack('3i', s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                             struct.calcsize('3i')))[0] or None
            finally:
                s.close()
        except OSError:
            self._pid = None
        return self._pid

    def netns_path(self):
        """The network namespace of the engine's process, or None for our own.

        The peer credentials of the unix socket give the engine's pid. With
        systemd socket activation they name PID 1, whose namespace is the
        host's, which is the right answer there too.
        """
        if self._netns is not False:
            return self._netns
        self._netns = None
        pid = self.pid()
        if pid is None:
            return None
        try:
            theirs = '/proc/%d/ns/net' % pid
            if os.stat(theirs).st_ino != os.stat('/proc/self/ns/net').st_ino:
                self._netns = theirs
        except OSError:
            self._netns = None
        return self._netns

    # -- calls ---------------------------------------------------------------
    def call(self, what, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except NotFound as exc:
            raise EngineError('%s: not found (%s)' % (what, _short(exc)))
        except APIError as exc:
            raise EngineError('%s: the engine refused: %s' % (what, _short(exc)))
        except (DockerException, RequestException, OSError, SSHException) as exc:
            raise EngineError('%s: lost the Docker Engine at %s (%s)' % (what, self.url, _short(exc)))

    def networks(self):
        """Every network, as the list endpoint returns it (no endpoints)."""
        return self.call('list networks', self.api.networks)

    def inspect_network(self, ident):
        return self.call('inspect network %s' % ident, self.api.inspect_network, ident)

    def find_network(self, ident):
        try:
            return self.api.inspect_network(ident)
        except NotFound:
            return None
        except APIError as exc:
            raise EngineError('inspect network %s: the engine refused: %s' % (ident, _short(exc)))
        except (DockerException, RequestException, OSError, SSHException) as exc:
            raise EngineError('inspect network %s: lost the Docker Engine at %s (%s)' % (ident, self.url, _short(exc)))

    def create_network(self, body):
        """Create from a full Engine API body (ConfigOnly/ConfigFrom included)."""
        def _create():
            url = self.api._url('/networks/create')
            return self.api._result(self.api._post_json(url, data=body), True)
        return self.call('create network %s' % body.get('Name'), _create)

    def remove_network(self, ident):
        return self.call('remove network %s' % ident, self.api.remove_network, ident)

    def connect(self, container, network, endpoint):
        """Connect with a recorded or wanted endpoint config (see _network.wire.connect_body)."""
        def _connect():
            data = {'Container': container, 'EndpointConfig': endpoint}
            url = self.api._url('/networks/{0}/connect', network)
            self.api._raise_for_status(self.api._post_json(url, data=data))
        return self.call('connect %s to network %s' % (container, network), _connect)

    def disconnect(self, container, network, force=False):
        return self.call('disconnect %s from network %s' % (container, network),
                         self.api.disconnect_container_from_network, container, network, force=force)

    def containers_on(self, network_id, network_name):
        """Every container that references a network, running or not (a stopped or created container has
        no endpoint in network inspect). A container connected while not running stores the network by name,
        with no network id, so both are asked for; the caller tells which network each entry means."""
        filters = {'network': [v for v in (network_id, network_name) if v]}
        return self.call('list containers on network %s' % (network_name or network_id), self.api.containers,
                         all=True, filters=filters)

    def _inspect_or_none(self, kind, fn, ident):
        """``fn(ident)``'s inspect output, or None when the engine has no such ``kind``."""
        try:
            return fn(ident)
        except NotFound:
            return None
        except (APIError, DockerException, RequestException, OSError, SSHException) as exc:
            raise EngineError('inspect %s %s: %s' % (kind, ident, _short(exc)))

    def inspect_container(self, ident):
        return self._inspect_or_none('container', self.api.inspect_container, ident)

    def info(self):
        return self.call('engine info', self.api.info)

    def running_containers(self):
        return self.call('list running containers', self.api.containers, filters={'status': 'running'})

    # -- swarm ---------------------------------------------------------------
    def inspect_swarm(self):
        return self.call('inspect swarm', self.api.inspect_swarm)

    def update_swarm(self, version, spec, rotate_worker_token=False, rotate_manager_token=False):
        return self.call('update the swarm', self.api.update_swarm, version, spec,
                         rotate_worker_token=rotate_worker_token, rotate_manager_token=rotate_manager_token)

    def leave_swarm(self, force, what='leave the swarm'):
        return self.call(what, self.api.leave_swarm, force=force)

    def unlock_key(self):
        return self.call('read the unlock key', self.api.get_unlock_key)

    def swarm_nodes(self, node_id=None):
        """The swarm's nodes (asked of a manager), or only the one with this id."""
        return self.call('list swarm nodes', self.api.nodes, filters={'id': node_id} if node_id else None)

    def inspect_node(self, node_id):
        return self.call('inspect node %s' % node_id, self.api.inspect_node, node_id)

    def update_node(self, node_id, version, spec):
        return self.call('update node %s' % node_id, self.api.update_node, node_id, version, spec)

    def remove_node(self, node_id, force=False):
        return self.call('remove node %s' % node_id, self.api.remove_node, node_id, force=force)

    def post_json(self, what, path, body):
        """POST a full Engine API body to ``path``; the decoded JSON answer, or None when empty."""
        def _post():
            response = self.api._post_json(self.api._url(path), data=body)
            self.api._raise_for_status(response)
            return response.json() if response.content else None
        return self.call(what, _post)

    # -- short-lived containers the collection runs itself (the network probe) --
    def find_image(self, ref):
        """The image's inspect output, or None when the engine does not have it."""
        return self._inspect_or_none('image', self.api.inspect_image, ref)

    def pull_image(self, ref):
        """Pull ``ref`` (NAME, NAME:TAG or NAME@DIGEST) from its registry."""
        repo, tag = ref, None
        if '@' not in ref and ':' in ref.rsplit('/', 1)[-1]:
            repo, tag = ref.rsplit(':', 1)

        def _pull():
            for event in self.api.pull(repo, tag=tag, stream=True, decode=True):
                if event.get('error'):
                    raise EngineError('pull image %s: %s' % (ref, event['error']))
        return self.call('pull image %s' % ref, _pull)

    def run_container(self, image, command, name, labels, network, dns=None, dns_search=None, dns_opts=None):
        """Create and start a container on ``network`` that the engine removes itself when it exits; its id.

        When the start fails the created container is removed before the error is raised."""
        host_config = self.api.create_host_config(auto_remove=True, network_mode=network, dns=dns or None,
                                                  dns_search=dns_search or None, dns_opt=dns_opts or None)
        networking = self.api.create_networking_config({network: self.api.create_endpoint_config()})
        created = self.call('create container %s' % name, self.api.create_container, image, command=command,
                            name=name, labels=labels, host_config=host_config, networking_config=networking)
        try:
            self.call('start container %s' % name, self.api.start, created['Id'])
        except EngineError:
            self.remove_container(created['Id'])
            raise
        return created['Id']

    def exec_in(self, container, argv):
        """Run ``argv`` in a running container and wait for it: (exit code, stdout, stderr) as text."""
        def _exec():
            exec_id = self.api.exec_create(container, argv, stdout=True, stderr=True)['Id']
            out, err = self.api.exec_start(exec_id, demux=True)
            code = self.api.exec_inspect(exec_id).get('ExitCode')
            return code, _text(out), _text(err)
        return self.call('run %s in container %s' % (argv[0], container[:12]), _exec)

    def remove_container(self, ident):
        """Remove a container, running or not (force); True when it is gone, also when it was gone already."""
        try:
            self.api.remove_container(ident, force=True, v=True)
        except NotFound:
            return True
        except APIError as exc:
            if 'already in progress' in _short(exc) or 'is not running' in _short(exc):
                return True  # auto-remove is taking it away
            raise EngineError('remove container %s: the engine refused: %s' % (ident, _short(exc)))
        except (DockerException, RequestException, OSError, SSHException) as exc:
            raise EngineError('remove container %s: lost the Docker Engine at %s (%s)' % (ident, self.url, _short(exc)))
        return True

    def inspect_service(self, ident):
        """A swarm service's inspect output, or None when there is none of that name or id (managers only)."""
        return self._inspect_or_none('service', self.api.inspect_service, ident)

    def services(self):
        """Every swarm service, as the listing returns it (managers only)."""
        return self.call('list swarm services', self.api.services)

    def service_tasks(self, service_id):
        """The tasks of a service that the swarm wants running (managers only)."""
        return self.call('list tasks of service %s' % service_id, self.api.tasks,
                         filters={'service': service_id, 'desired-state': 'running'})

    def containers_labelled(self, label):
        """Every container carrying the label ``label`` (KEY or KEY=VALUE), running or not."""
        return self.call('list containers labelled %s' % label, self.api.containers, all=True,
                         filters={'label': [label]})


def _text(data):
    if data is None:
        return ''
    return data.decode('utf-8', 'replace') if isinstance(data, bytes) else str(data)


def _short(exc):
    text = getattr(exc, 'explanation', None) or str(exc)
    if isinstance(text, bytes):
        text = text.decode('utf-8', 'replace')
    return ' '.join(str(text).split())[:500]
