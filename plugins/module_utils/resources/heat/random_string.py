"""OS::Heat::RandomString: a generated secret, kept in the stack's secret store."""

from __future__ import annotations

import secrets
import string
from typing import Any, Callable, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import (
    Found, HandlerError, LocalHandler)

CLASSES = {
    "lettersdigits": string.ascii_letters + string.digits,
    "letters": string.ascii_letters,
    "lowercase": string.ascii_lowercase,
    "uppercase": string.ascii_uppercase,
    "digits": string.digits,
    "hexdigits": string.digits + "ABCDEF",
    "octdigits": string.octdigits,
}


def generate(length: int, classes: list, sequences: list) -> str:
    """A random string honouring each class/sequence ``min``; the rest from their union."""
    if not classes and not sequences:
        classes = [{"class": "lettersdigits", "min": 1}]
    pools = [(CLASSES[c.get("class", "lettersdigits")], int(c.get("min", 1))) for c in classes]
    pools += [(s["sequence"], int(s.get("min", 1))) for s in sequences]
    if sum(pair[1] for pair in pools) > length:
        raise HandlerError(f"length {length} is shorter than the combined minimums")
    chars = [secrets.choice(pool) for pool, minimum in pools for _i in range(minimum)]
    union = "".join(sorted({ch for pool, _min in pools for ch in pool}))
    chars += [secrets.choice(union) for _i in range(length - len(chars))]
    rng = secrets.SystemRandom()
    rng.shuffle(chars)
    return "".join(chars)


class RandomStringHandler(LocalHandler):
    """``get_attr: [x, value]`` and ``get_resource: x`` both return the generated string."""

    type_name = "OS::Heat::RandomString"
    applied_defaults = ("length",)
    attributes = ("value",)

    def _store(self) -> dict:
        return self.ctx.local_store.setdefault(self.type_name, {})

    def find(self, logical: str, props: Mapping[str, Any]) -> Found | None:
        value = self._store().get(logical)
        if value is None:
            return None
        self.ctx.add_secret(value)
        return Found(logical, self.local_id(logical), {"props": dict(props), "value": value})

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        classes = list(props.get("character_classes") or [])
        if props.get("sequence") and not classes:
            classes = [{"class": props["sequence"], "min": 1}]
        value = generate(int(props.get("length") or 32), classes, list(props.get("character_sequences") or []))
        self.ctx.add_secret(value)
        with self.ctx.lock:
            self._store()[logical] = value
        self.ctx.persist()
        on_id(self.local_id(logical))
        return {"props": dict(props), "value": value}

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        prefix = self.local_id("")
        with self.ctx.lock:
            self._store().pop(physical_id[len(prefix):], None)

    def ref(self, obj: Any, physical_id: str) -> str:
        return obj.get("value", physical_id)

    def attrs(self, obj: Any) -> dict:
        return {"value": obj.get("value")}
