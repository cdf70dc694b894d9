"""The one YAML reader: libyaml's safe loader, the same objects as PyYAML's pure-Python one.

Authority: PyYAML's ``CSafeLoader`` and ``SafeLoader`` share the resolver and the safe
constructor and differ only in the scanner and parser (``yaml/cyaml.py``), so on well-formed
documents they must build equal objects of equal types. Checked here on every shipped file.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from redline import yamlio
from redline.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "redline"
SHIPPED = sorted(p for p in [*SRC.rglob("*.yaml"), *SRC.rglob("*.yml"), *(ROOT / "examples").glob("*.yaml")])


def _same(a, b, where="<top>"):
    """Equal values of identical types all the way down (1, 1.0 and True compare equal otherwise)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), f"{where}: keys or key order differ"
        for k in a:
            _same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), f"{where}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b or (a != a and b != b), f"{where}: {a!r} != {b!r}"


def test_the_c_loader_is_used_when_compiled_in():
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML built without libyaml: the SafeLoader fallback is in use")
    assert yamlio.LOADER is yaml.CSafeLoader


def test_shipped_files_are_found():
    names = {p.name for p in SHIPPED}
    assert {"game.yaml", "history.yaml", "levers.yaml", "priors.yaml", "states.yaml", "april-2024.yaml"} <= names
    assert len(SHIPPED) >= 19


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_both_loaders_build_the_same_objects(path):
    text = path.read_text(encoding="utf-8")
    ours = yamlio.parse_yaml(text, str(path))
    pure = yaml.load(text, Loader=yaml.SafeLoader)
    assert ours is not None
    _same(ours, pure)


def test_parse_yaml_names_the_line_of_a_syntax_error():
    with pytest.raises(InputError, match="malformed YAML") as e:
        yamlio.parse_yaml("name: x\nsites: [oops\nraid: []\n", "s.yaml")
    assert e.value.file == "s.yaml" and re.fullmatch(r"line \d+, column \d+", e.value.field)


def test_load_mapping_wants_a_mapping():
    assert yamlio.load_mapping("", "f.yaml", "give a mapping", allow_empty=True) == {}
    with pytest.raises(InputError, match="give a mapping"):
        yamlio.load_mapping("- a\n- b\n", "f.yaml", "give a mapping")


def test_only_safe_tags():
    with pytest.raises(InputError, match="malformed YAML"):
        yamlio.parse_yaml("x: !!python/object/apply:os.system ['true']\n", "evil.yaml")


def test_every_yaml_read_goes_through_yamlio():
    """The single choke point (limits on depth, size and aliases belong there): no other module loads YAML."""
    pattern = re.compile(r"\byaml\.(safe_load|load|full_load|unsafe_load|load_all|safe_load_all|compose|"
                         r"CSafeLoader|SafeLoader|CLoader|Loader)\b")
    offenders = []
    for py in sorted(SRC.rglob("*.py")):
        if py.name == "yamlio.py" and py.parent == SRC:
            continue
        for n, line in enumerate(py.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{py.relative_to(ROOT)}:{n}: {line.strip()}")
    # web/app.py still counts alias events with yaml.parse(..., Loader=yaml.SafeLoader) before reading;
    # that guard moves into yamlio with the hardening of the reader.
    offenders = [o for o in offenders if "yaml.parse(" not in o]
    assert not offenders, "read YAML with redline.yamlio.parse_yaml / load_mapping:\n" + "\n".join(offenders)
