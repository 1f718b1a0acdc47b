"""The engine client: its TLS handling (what the SDK's session is told, what a refused connection says to fix),
the checks of its own options, and the process behind a local socket."""
import os
import socket

import docker
import pytest

from ansible_collections.netprov.dockernet.plugins.module_utils._engine import client as _client
from ansible_collections.netprov.dockernet.plugins.module_utils._engine.client import Engine, check_api_version
from ansible_collections.netprov.dockernet.plugins.module_utils._common.errors import ValidationError

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
