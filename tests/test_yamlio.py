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
    # yamlio now caps aliases and expanded nodes itself, so that loop (and this exemption) can go.
    offenders = [o for o in offenders if "yaml.parse(" not in o]
    assert not offenders, "read YAML with redline.yamlio.parse_yaml / load_mapping:\n" + "\n".join(offenders)


# --- the limits of the reader (module docstring of redline.yamlio; docs/limits.md) ---------------------------

_BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefg", "bcdefgh"))


@pytest.mark.parametrize("text,field,fix", [
    ("a: 1\nb:\n  c: 2\n  c: 3\n", "b.c", r"duplicate key \(first on line 3, again on line 4\)"),
    ("a: {r: .inf}\n", "a.r", "not a finite number"),
    ("a: [1, .NaN]\n", "a[1]", "not a finite number"),
    ("a: 1.0e+999\n", "a", "not a finite number"),
    ("a: inf\n", "a", "reads as a non-finite number"),
    ("a: -Infinity\n", "a", "reads as a non-finite number"),
    ("a: 1e999\n", "a", "reads as a non-finite number"),
    ("a: !!float nan\n", "a", "not a finite number"),
    ("a: 9223372036854775808\n", "a", "integer too large"),
    ("a: " + "9" * 5000 + "\n", "a", "integer too large"),
    ("[" * 100 + "]" * 100, "[0][0][0][0][0][0][0][0][0][0][0][0]...", "nested more than 64 levels"),
    ("[" * 100_000 + "]" * 100_000, None, "nest"),      # libyaml's own cap (1,000) answers first in flow style
    ("".join("  " * i + f"k{i}:\n" for i in range(200)), "k0.k1.k2.k3.k4.k5.k6.k7.k8.k9.k10.k11...", "nested"),
    (_BOMB, None, "more than 250,000 values"),
    ("a: [" + ", ".join(["*x"] * 1001) + "]\nx: &x 1\n", None, "undefined alias"),
    ("x: &x 1\na: [" + ", ".join(["*x"] * 1001) + "]\n", "a[1000]", "more than 1,000 aliases"),
    ("a: &x 1\nb: &x 2\n", "b", "anchor defined twice"),
    ("a: 2024-02-30\n", "a", "cannot be read as timestamp"),
    ("a: !!int abc\n", "a", "cannot be read as int"),
    ("a: !!bool maybe\n", "a", "cannot be read as bool"),
    ("? [a, b]\n: 1\n", "<key>", "a key is a list"),
    ("name: !!binary '%%%'\n", "name", "a binary value"),
    ("a: !!set {x, y}\n", "a", "a set value"),
    ("a: !!omap [{x: 1}]\n", "a", "a omap value"),
    ("a: \ud800\n", "<text>", "not UTF-8"),
    (b"name: \xff\xfe\n", "line 1", "not UTF-8"),
])
def test_the_reader_refuses_with_one_line(text, field, fix):
    with pytest.raises(InputError, match=fix) as e:
        yamlio.parse_yaml(text, "t.yaml")
    assert e.value.file == "t.yaml" and "\n" not in str(e.value)
    if field is not None:
        assert e.value.field == field


def test_the_reader_keeps_what_is_valid():
    assert yamlio.parse_yaml("b: &b {x: 1}\nc: {<<: *b, x: 2}\n") == {"b": {"x": 1}, "c": {"x": 2}}   # merge keys
    assert yamlio.parse_yaml("a: 'inf'\nb: nano\nc: 1e30\nd: 9223372036854775807\n") == {
        "a": "inf", "b": "nano", "c": "1e30", "d": 2**63 - 1}
    assert yamlio.parse_yaml("a: [.inf, .nan, inf]\n", allow_nonfinite=True)["a"][0] == float("inf")
    deep = "[" * 64 + "]" * 64
    assert yamlio.parse_yaml(deep) is not None
    with pytest.raises(InputError, match="nested"):
        yamlio.parse_yaml("[" + deep + "]")


def test_read_text_names_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"name: ok\nsites: \xe9t\xe9\n")
    with pytest.raises(InputError, match=r"not UTF-8 text \(byte 16") as e:
        yamlio.read_text(bad)
    assert e.value.file == str(bad) and e.value.field == "line 2"
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (yamlio.MAX_BYTES + 1))
    with pytest.raises(InputError, match="over 4,194,304 bytes"):
        yamlio.read_text(big)
    with pytest.raises(InputError, match="cannot read"):
        yamlio.read_text(tmp_path / ("x" * 300 + ".yaml"))
    with pytest.raises(InputError, match="over 4,194,304 bytes"):
        yamlio.parse_yaml("#" * (yamlio.MAX_BYTES + 1))
