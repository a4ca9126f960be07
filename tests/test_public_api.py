"""The Python API the documentation promises stays importable from where it is documented."""

import importlib

import pytest

import toolkit


@pytest.mark.parametrize("name", toolkit.__all__)
def test_every_public_name_resolves(name):
    assert getattr(toolkit, name) is not None


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        toolkit.no_such_name  # noqa: B018


@pytest.mark.parametrize(
    ("old", "new", "name"),
    [
        ("toolkit.loader", "toolkit.db.loader", "LoadError"),
        ("toolkit.pandera_schemas", "toolkit.checks.pandera_schemas", "validate_frames"),
    ],
)
def test_module_paths_documented_by_release_0_4_still_import(old, new, name):
    assert getattr(importlib.import_module(old), name) is getattr(
        importlib.import_module(new), name
    )
