"""Tests of the benchmark's synthetic template generator (bench/synth.py) and of the bench script."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
from typing import Any

import pytest
import yaml

from ansible_collections.heatlike.cloud.plugins.module_utils.resolve import stack as engine_stack

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(REPO, "bench")


def _load_synth() -> Any:
    spec = importlib.util.spec_from_file_location("heatlike_bench_synth", os.path.join(BENCH, "synth.py"))
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


synth = _load_synth()


def _references(value: Any) -> set[str]:
    """Resource names referenced by get_resource / get_attr anywhere in ``value``."""
    found: set[str] = set()
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            if len(item) == 1 and "get_resource" in item:
                found.add(item["get_resource"])
            elif len(item) == 1 and "get_attr" in item:
                found.add(item["get_attr"][0])
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return found


def _functions(value: Any) -> set[str]:
    """Names of the single-key dicts (intrinsic functions) used anywhere in ``value``."""
    found: set[str] = set()
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            if len(item) == 1:
                found.update(item)
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return found


def _longest_chain(resources: dict[str, Any]) -> int:
    """Number of creation waves implied by the explicit references (longest path, in nodes)."""
    deps = {name: _references(body.get("properties", {})) | set(body.get("depends_on", []))
            for name, body in resources.items()}
    level: dict[str, int] = {}

    def depth(name: str) -> int:
        if name not in level:
            level[name] = 1 + max((depth(d) for d in deps[name]), default=0)
        return level[name]

    return max((depth(n) for n in resources), default=0)


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 100, 1003])
def test_generate_has_exactly_n_resources(n: int) -> None:
    assert len(synth.generate(n)["resources"]) == n


def test_same_seed_gives_identical_yaml_and_other_seed_differs() -> None:
    first = synth.dump(synth.generate(300, seed=7))
    assert first == synth.dump(synth.generate(300, seed=7))
    assert first != synth.dump(synth.generate(300, seed=8))


def test_output_does_not_depend_on_hash_randomization() -> None:
    code = ("import hashlib,sys; sys.path.insert(0, %r); import synth; "
            "print(hashlib.sha256(synth.dump(synth.generate(200, 3)).encode()).hexdigest())" % BENCH)
    digests = set()
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        digests.add(out.stdout.strip())
    assert digests == {hashlib.sha256(synth.dump(synth.generate(200, 3)).encode()).hexdigest()}


def test_yaml_round_trip_gives_the_same_template() -> None:
    template = synth.generate(120, seed=1)
    text = synth.dump(template)
    assert text.startswith("heat_template_version: 2018-08-31\n")
    assert yaml.safe_load(text) == template


def test_every_reference_names_an_existing_resource() -> None:
    resources = synth.generate(500, seed=2)["resources"]
    for name, body in resources.items():
        missing = _references(body) - set(resources)
        assert not missing, (name, missing)


def test_every_get_param_is_declared_and_required_ones_are_supplied() -> None:
    template = synth.generate(100)
    declared = template["parameters"]
    used: set[str] = set()
    todo: list[Any] = [template["resources"], template["outputs"]]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            if len(item) == 1 and "get_param" in item:
                used.add(item["get_param"])
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    assert used <= set(declared)
    required = {name for name, spec in declared.items() if "default" not in spec}
    assert required == set(synth.PARAMETERS)


@pytest.mark.parametrize("n", [100, 1000, 5000])
def test_dependency_depth_is_about_ten_for_every_size(n: int) -> None:
    assert _longest_chain(synth.generate(n)["resources"]) == 10


def test_chain_length_controls_the_depth() -> None:
    assert _longest_chain(synth.generate(200, chain_length=2)["resources"]) == 6
    assert _longest_chain(synth.generate(200, chain_length=1)["resources"]) == 5


def test_template_mixes_the_promised_types_and_functions() -> None:
    template = synth.generate(100)
    types = {body["type"] for body in template["resources"].values()}
    assert set(synth.CELL_TYPES) <= types
    used = _functions(template["resources"])
    assert {"get_param", "get_resource", "get_attr", "str_replace", "list_join"} <= used
    # get_attr chains with an attribute path, not only attribute names
    assert any(len(body["properties"]["user_data"]["str_replace"]["params"]["$ADDR"]["get_attr"]) == 4
               for body in template["resources"].values() if body["type"] == "OS::Nova::Server")


def test_resource_order_is_shuffled() -> None:
    names = list(synth.generate(64)["resources"])
    assert names != sorted(names)
    assert names[:8] != [f"{kind}_0" for kind in ("net", "subnet", "port", "vport", "rand", "vol", "server", "attach")]


def test_sizes_stay_around_the_engine_limits(tmp_path: Any) -> None:
    # 1,000 resources fit the default 512 KiB template limit; 5,000 do not (the bench raises it)
    assert synth.write(str(tmp_path / "a.yaml"), 1000) < 524_288
    assert synth.write(str(tmp_path / "b.yaml"), 5000) > 524_288
    assert (tmp_path / "a.yaml").read_bytes() == synth.dump(synth.generate(1000)).encode()


def test_negative_sizes_are_rejected() -> None:
    with pytest.raises(ValueError):
        synth.generate(-1)
    with pytest.raises(ValueError):
        synth.generate(10, chain_length=0)


# --- against the engine -----------------------------------------------------------------------

def _stack_module() -> Any:
    return engine_stack


def test_engine_loads_the_synthetic_template_with_ten_waves(tmp_path: Any) -> None:
    stack = _stack_module()
    path = tmp_path / "synthetic.yaml"
    synth.write(str(path), 100)
    result = stack.load_stack(str(path), parameters=dict(synth.PARAMETERS))
    assert len(result.resources) == 100
    assert len(result.creation_order) == 10
    assert sorted(n for wave in result.creation_order for n in wave) == sorted(result.resources)
    # the implicit edges Heat adds: a port waits for every subnet of its network
    assert "subnet_3" in result.resources["port_3"].depends_on
    assert "subnet_3" in result.resources["server_3"].depends_on
    assert "server_2" in result.resources["server_3"].depends_on


def test_bench_script_prints_a_row_per_size() -> None:
    _stack_module()
    env = dict(os.environ)
    out = subprocess.run([sys.executable, os.path.join(BENCH, "engine_bench.py"), "--sizes", "8,100",
                          "--repeat", "1"], env=env, capture_output=True, text=True, check=False, timeout=300)
    lines = out.stdout.splitlines()
    rows = [line.split() for line in lines if line.split() and line.split()[0] in ("8", "100")]
    assert [r[0] for r in rows] == ["8", "100"], out.stdout + out.stderr
    assert "FAILED" not in out.stdout, out.stdout
    assert [r[2] for r in rows] == ["5", "10"]  # waves column: one cell = 5 waves, 100 = 10
