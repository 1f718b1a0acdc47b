# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where docker_networks' time goes, phase by phase, in one plain Python process.

    .venv-bench/bin/python bench/profile_module.py [--n 20] [--cprofile FILE]

Runs what the module's main() runs, with the collection from
.build/collections (as ansible-playbook does), timing each phase: importing
ansible.module_utils.basic, the docker SDK and our module_utils; argument
validation; connecting; listing; planning; applying; and every HTTP request
to the engine (counted and timed). It does so for a create of N networks and
then a no-change run over them, then removes them (names nbprof<hex>-*).
The module's AnsiballZ wrapper, the controller and the fork are not in it:
bench/run.py's floor measures those.
"""
from __future__ import absolute_import, division, print_function

import argparse
import cProfile
import json
import os
import sys
import time
import uuid

T0 = time.perf_counter()
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# --collections DIR (a directory holding ansible_collections/, e.g. another checkout's) must come first.
_COLL = sys.argv[sys.argv.index('--collections') + 1] if '--collections' in sys.argv else None
sys.path.insert(0, _COLL or os.path.join(ROOT, '.build', 'collections'))

PHASES = []


def mark(name, since):
    now = time.perf_counter()
    PHASES.append((name, now - since))
    return now


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=20)
    ap.add_argument('--cprofile', help='write a cProfile of the no-change run (module call only) here')
    ap.add_argument('--collections', help='import the collection from DIR/ansible_collections (default: this '
                                          "worktree's .build/collections), to compare two versions")
    args = ap.parse_args()

    t = T0
    from ansible.module_utils import basic  # pylint: disable=import-outside-toplevel
    t = mark('import ansible.module_utils.basic', t)
    import docker  # pylint: disable=import-outside-toplevel
    t = mark('import docker (SDK, requests, urllib3)', t)
    import run  # pylint: disable=import-outside-toplevel  # bench/run.py: the same networks and subnets
    from ansible_collections.netprov.dockernet.plugins.modules import docker_networks as mod  # pylint: disable=import-outside-toplevel
    from ansible_collections.netprov.dockernet.plugins.module_utils._network import bulk as _bulk, core as _core  # pylint: disable=import-outside-toplevel
    from ansible_collections.netprov.dockernet.plugins.module_utils._engine import client as _client  # pylint: disable=import-outside-toplevel
    t = mark('import the module and our module_utils', t)

    requests_seen = []
    send = docker.APIClient.send

    def counting_send(self, request, **kw):
        s = time.perf_counter()
        try:
            return send(self, request, **kw)
        finally:
            requests_seen.append((request.method, request.path_url.split('?')[0], time.perf_counter() - s))
    docker.APIClient.send = counting_send

    api = docker.APIClient(version='auto')
    prefix = 'nbprof%s' % uuid.uuid4().hex[:6]
    nets = run.specs(prefix, args.n, run.free_subnets(api, args.n))
    for net in nets:
        net['driver'] = 'bridge'

    def one_run(label, profile=None):
        del requests_seen[:]
        basic._ANSIBLE_ARGS = json.dumps({'ANSIBLE_MODULE_ARGS': {'networks': nets}}).encode()
        basic._ANSIBLE_PROFILE = 'legacy'
        t = time.perf_counter()
        if profile:
            profile.enable()
        module = basic.AnsibleModule(argument_spec=mod.argument_spec(), supports_check_mode=True)
        t = mark('%s: AnsibleModule() (argument spec, %d entries)' % (label, args.n), t)
        engine = _client.Engine(module.params)
        n_connect = len(requests_seen)
        t = mark('%s: connect (%d requests)' % (label, n_connect), t)
        state = _core.EngineState(engine)
        t = mark('%s: list networks (1 request)' % label, t)
        entries = [mod._strip_none(e) for e in module.params['networks']]
        planned, _warnings = _bulk.plan_all(state, entries, mod._strip_none(module.params['defaults']),
                                            module.params, False)
        n_plan = len(requests_seen) - n_connect - 1
        t = mark('%s: validate + plan (%d requests)' % (label, n_plan), t)
        _bulk.apply_all(state, planned)
        t = mark('%s: apply (%d requests)' % (label, len(requests_seen) - n_connect - 1 - n_plan), t)
        if profile:
            profile.disable()
        by_kind = {}
        for method, path, took in requests_seen:
            kind = '%s %s' % (method, '/'.join(p if not p.startswith(prefix) and len(p) < 40 else '{id}'
                                               for p in path.split('/')))
            count, total = by_kind.get(kind, (0, 0.0))
            by_kind[kind] = (count + 1, total + took)
        return by_kind

    try:
        create = one_run('create')
        prof = cProfile.Profile() if args.cprofile else None
        nochange = one_run('no-change', prof)
        if prof:
            prof.dump_stats(args.cprofile)
    finally:
        for net in api.networks(filters={'name': prefix}):
            if net['Name'].startswith(prefix + '-'):
                api.remove_network(net['Id'])
        docker.APIClient.send = send
    print('| phase | ms |\n| --- | ---: |')
    for name, took in PHASES:
        print('| %s | %.0f |' % (name, took * 1000))
    for label, kinds in (('create', create), ('no-change', nochange)):
        print('\n%s, engine requests:\n\n| request | count | total ms |\n| --- | ---: | ---: |' % label)
        for kind, (count, total) in sorted(kinds.items(), key=lambda kv: -kv[1][1]):
            print('| %s | %d | %.0f |' % (kind, count, total * 1000))
    return 0


if __name__ == '__main__':
    sys.exit(main())
