def test_collection_importable():
    from ansible_collections.netprov.dockernet.plugins.module_utils._common import errors as _errors
    err = _errors.ValidationError('outside 198.18.1.0/24', path='ipam_config[0].gateway')
    assert str(err) == 'ipam_config[0].gateway: outside 198.18.1.0/24'
