"""The engine client: its TLS handling (what the SDK's session is told, what a refused connection says to fix),
the checks of its own options, and the process behind a local socket."""
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import socket

import docker
import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._engine import client as _client
from ansible_collections.netprov.dockernet.plugins.module_utils._engine.client import Engine, check_api_version
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import EngineError, ValidationError

URL = 'tcp://198.19.104.11:2376'


def session(tls):
    # a pinned API version: the client makes no request when made
    return _client._APIClient(base_url=URL, version='1.41', tls=tls)


@pytest.mark.parametrize('var', ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'])
def test_ca_path_wins_over_a_ca_bundle_in_the_environment(monkeypatch, tmp_path, var):
    monkeypatch.setenv(var, '/etc/ssl/certs/ca-certificates.crt')
    ca = tmp_path / 'ca.pem'
    ca.write_text('')
    api = session(docker.tls.TLSConfig(ca_cert=str(ca), verify=True))
    assert api.merge_environment_settings(api.base_url, {}, None, None, None)['verify'] == str(ca)


def test_tls_without_validate_certs_stays_unverified_with_a_ca_bundle_in_the_environment(monkeypatch):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/certs/ca-certificates.crt')
    api = session(docker.tls.TLSConfig(verify=False))
    assert api.merge_environment_settings(api.base_url, {}, None, None, None)['verify'] is False


def test_validate_certs_without_ca_path_uses_the_bundle_of_the_environment(monkeypatch):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/certs/ca-certificates.crt')
    api = session(docker.tls.TLSConfig(verify=True))
    assert api.merge_environment_settings(api.base_url, {}, None, None, None)['verify'] == \
        '/etc/ssl/certs/ca-certificates.crt'


# What the SDK says (docker 7, urllib3 2) for each way a TLS connection goes wrong, and the option named.
@pytest.mark.parametrize('said, fix', [
    ("Error while fetching server API version: HTTPSConnectionPool(host='198.19.104.11', port=2376): Max retries "
     "exceeded with url: /version (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] "
     "certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)')))", 'set ca_path'),
    ("(Caused by SSLError(SSLCertVerificationError(1, \"[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
     "IP address mismatch, certificate is not valid for '198.19.104.12'. (_ssl.c:1006)\")))", 'give docker_host'),
    ("(Caused by SSLError(SSLError(1, '[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required "
     "(_ssl.c:2580)')))", 'set client_cert and client_key'),
    ("(Caused by SSLError(SSLError(1, '[SSL: SSLV3_ALERT_BAD_CERTIFICATE] sslv3 alert bad certificate')))",
     'set client_cert and client_key'),
    ('Error while fetching server API version: 400 Client Error for http://198.19.104.11:2376/version: Bad Request '
     '("Client sent an HTTP request to an HTTPS server.")', 'set tls: true'),
    ("(Caused by SSLError(SSLError(1, '[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)')))",
     'set tls: false'),
    ("('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))", 'start the engine'),
    ('400 Client Error for http+docker://localhost/v1.41/_ping: Bad Request ("client version 1.41 is too old. '
     'Minimum supported API version is 1.44, please upgrade your client to a newer version")', 'set api_version to auto'),
])
def test_a_refused_connection_names_what_to_set(said, fix):
    assert fix in _client.reach_hint(said)


@pytest.mark.parametrize('value', ['xx', '1', '1.41.0', 'v1.41', '1.x', ' 1.41'])
def test_api_version_that_is_not_major_minor_is_refused_naming_the_field(value):
    # The docker SDK raised a bare ValueError from int() (a traceback) on these.
    with pytest.raises(ValidationError) as err:
        check_api_version(value)
    assert str(err.value).startswith('api_version: ')
    with pytest.raises(ValidationError):
        Engine({'docker_host': 'unix:///nonexistent.sock', 'api_version': value})


@pytest.mark.parametrize('value', [None, '', 'auto', '1.41', '1.24'])
def test_api_version_auto_and_major_minor_pass(value):
    check_api_version(value)


@pytest.mark.parametrize('timeout', [-1, -60])
def test_negative_timeout_is_refused_naming_the_field(timeout):
    # urllib3 raised a bare ValueError on the first engine call made with it (a traceback).
    with pytest.raises(ValidationError) as err:
        Engine({'docker_host': 'unix:///nonexistent.sock', 'timeout': timeout})
    assert str(err.value).startswith('timeout: ')


def _engine(url):
    engine = Engine.__new__(Engine)  # without the connection: only the local-socket helpers are used
    engine.url, engine._pid, engine._netns = url, False, False
    return engine


def test_pid_and_netns_of_the_socket_peer(tmp_path):
    path = str(tmp_path / 'engine.sock')
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    try:
        engine = _engine('unix://' + path)
        assert engine.pid() == os.getpid()  # the listener is this process
        assert engine.netns_path() is None  # ... in our own namespace
    finally:
        server.close()
    assert _engine('tcp://198.18.0.1:2375').pid() is None
    gone = _engine('unix://' + str(tmp_path / 'nobody.sock'))
    assert gone.pid() is None and gone.netns_path() is None


# What paramiko, the ssh client and the remote shell say (paramiko 5.1, OpenSSH 9.2, bash) for each way an
# ssh:// connection goes wrong, and the fix the message names.
@pytest.mark.parametrize('said, fix', [
    ('Authentication failed.', 'give the user that docker_host names (ssh://USER@HOST) a key'),
    ("Error while fetching server API version: ('Connection aborted.', BrokenPipeError(32, 'Broken pipe')); over "
     "SSH: root@198.19.160.11: Permission denied (publickey,password).", 'a key that the host accepts'),
    ("Server '198.19.160.11' not found in known_hosts", 'add the host\'s key to ~/.ssh/known_hosts'),
    ('over SSH: Host key verification failed.', 'add the host\'s key to ~/.ssh/known_hosts'),
    ('[Errno None] Unable to connect to port 2222 on 198.19.160.11', 'check docker_host (ssh://USER@HOST:PORT'),
    ('over SSH: ssh: connect to host 198.19.160.11 port 2222: Connection refused', 'check docker_host'),
    ("('Connection aborted.', RemoteDisconnected('Remote end closed connection without response')); over SSH: "
     'bash: line 1: docker: command not found', 'install the Docker CLI on the host that docker_host names'),
    ("Error while fetching server API version: [Errno 2] No such file or directory: 'ssh'",
     'set use_ssh_client: false'),
    ('over SSH: permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock',
     'add it to the docker group'),
    ("('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))",
     'use_ssh_client: true connects with the ssh client'),
])
def test_a_refused_ssh_connection_names_what_to_set(said, fix):
    hint = _client.reach_hint(said, ssh=True)
    assert fix in hint
    assert 'docker_host' in hint or 'use_ssh_client' in hint


def test_ssh_hints_are_only_for_ssh_urls():
    # a refused TCP port is an engine that does not listen there, not an SSH server
    assert 'start the engine' in _client.reach_hint('Connection refused')


def test_a_password_in_an_ssh_url_is_refused_without_repeating_it():
    with pytest.raises(ValidationError) as err:
        Engine({'docker_host': 'ssh://root:s3cret-pw@198.19.160.11:22'})
    assert str(err.value).startswith('docker_host: ') and 's3cret-pw' not in str(err.value)


def test_an_ssh_url_without_paramiko_names_the_package(monkeypatch):
    monkeypatch.setattr(_client, 'HAS_PARAMIKO', False)
    with pytest.raises(EngineError) as err:
        Engine({'docker_host': 'ssh://root@198.19.160.11', 'use_ssh_client': True})
    assert 'pip install paramiko' in str(err.value) and 'use_ssh_client' in str(err.value)


class _ShellOut(object):
    """The SDK's client with its SSH adapter in use_ssh_client mode (no paramiko client)."""
    timeout = 5

    def __init__(self, ssh_host):
        self._custom_adapter = type('Adapter', (), {'ssh_client': None, 'ssh_host': ssh_host})()


def test_ssh_client_diagnosis_asks_the_host_as_the_sdk_connects(tmp_path, monkeypatch):
    fake = tmp_path / 'ssh'
    fake.write_text('#!/bin/sh\necho "argv: $*" >&2\nexit 255\n')
    fake.chmod(0o755)
    monkeypatch.setenv('PATH', '%s:%s' % (tmp_path, os.environ['PATH']))
    said = _client.ssh_says(_ShellOut('root@198.19.160.11:2222'))
    assert said == ("argv: -o BatchMode=yes -l root -p 2222 -- 198.19.160.11 "
                    "docker version --format '{{.Server.APIVersion}}'")
    fake.write_text('#!/bin/sh\nexit 0\n')
    assert _client.ssh_says(_ShellOut('198.19.160.11')) is None
    assert _client.ssh_says(session(False)) is None  # not an SSH connection
