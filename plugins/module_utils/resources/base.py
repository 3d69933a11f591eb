"""Base class and shared helpers of resource handlers.

A handler knows one HOT resource type: its deliberate differences from Heat's schema of the
type (``schema_overrides``; the schema itself is the catalog's, see :meth:`Handler.schema`),
the defaults it fills in, the properties that are secrets, the attributes ``get_attr`` can read, and small methods over
openstacksdk: ``list_owned`` (one list call per type), ``find``, ``fetch``, ``create``,
``update``, ``delete``, ``observe`` (for drift) and ``attribute``. As a
:class:`ResourceType` it also holds Heat's facts of the type that the resolver and the
executor read: its implicit dependencies (``add_dependencies``) and its orphan delete order
(``delete_rank``). Lifecycle (ordering, parallelism, records) lives in the executor,
persistence in ``state``.

Handler files import this module, ``dependencies`` and their service's shared modules
(``keystone/base.py``, ``neutron/implicit.py``). Other imports between handler files are
few and one-way: a variant extends the handler it varies (the AWS scaling group and policy
extend the Heat ones, AutoScalingGroup extends ResourceGroup), ResourceGroup converges
provider-template members with ``heat/nested_stack.py``, and the AWS group reads the cache
key of ``aws/launch_configuration.py``. A group finds its members' handlers through the
registry (``resources.get_handler``), never by importing them.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping

from ansible_collections.heatlike.cloud.plugins.module_utils.resources import get_schema
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.overrides import Override
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.schema.properties import ResourceSchema
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.dependencies import StackIndex
from ansible_collections.heatlike.cloud.plugins.module_utils.state import ownership
from ansible_collections.heatlike.cloud.plugins.module_utils.common.ids import looks_like_id
from ansible_collections.heatlike.cloud.plugins.module_utils.common.retries import RetryPolicy, status_of

try:  # guarded: sanity import tests run without openstacksdk
    from openstack import exceptions as sdk_exc

    HAS_OPENSTACKSDK = True
except ImportError:  # pragma: no cover - depends on the controller
    sdk_exc = None
    HAS_OPENSTACKSDK = False


class HandlerError(Exception):
    """A resource action failed for a reason the handler can state in one line."""


@dataclass
class Found:
    """An observed cloud resource that belongs to the stack."""

    logical: str
    physical_id: str
    obj: Any
    source: str = "marks"


@dataclass
class Context:
    """What every handler needs during one run."""

    conn: Any
    stack_name: str
    resource_timeout: float = 600.0
    poll: float = 1.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    local_store: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    secret_sink: Callable[[str], None] | None = None
    persist_store: Callable[[], None] | None = None
    #: the record's resources as loaded when the run started (read-only): what a handler
    #: managed before, e.g. the role assignments a removed entry must revoke
    recorded: Mapping[str, Any] = field(default_factory=dict)
    #: the nested-stack driver (provider templates), set by the stack engine
    nested: Any = None
    #: base URL of the receiver of scaling signals (``OS::Heat::ScalingPolicy`` URLs)
    signal_receiver_url: str | None = None
    #: when the stack timeout ends (``time.monotonic()``), set by the executor while it runs
    #: forward actions and deletes; no wait of a handler lasts beyond it
    stack_deadline: float | None = None
    #: the stack timeout in seconds (for messages)
    stack_timeout: float | None = None
    #: the option that set ``resource_timeout`` (for messages): resource_timeout or timeout
    timeout_name: str = "resource_timeout"
    #: per thread: the action running on it need not wait for its resource (``wait: false``)
    _no_wait: threading.local = field(default_factory=threading.local)

    @contextmanager
    def without_wait(self, skip: bool = True) -> Iterator[None]:
        """Within the block (on this thread), final waits of a handler return at once when ``skip``."""
        before = getattr(self._no_wait, "skip", False)
        self._no_wait.skip = skip
        try:
            yield
        finally:
            self._no_wait.skip = before

    def waits(self) -> bool:
        """False inside :meth:`without_wait` (the action's own last wait is skipped)."""
        return not getattr(self._no_wait, "skip", False)

    def persist(self) -> None:
        """Write ``local_store`` now (a generated secret must survive a killed run)."""
        if self.persist_store is not None:
            with self.lock:
                self.persist_store()

    def cached(self, key: str, fn: Callable[[], Any]) -> Any:
        """Memoise ``fn()`` under ``key`` for the whole run (thread-safe)."""
        with self.lock:
            if key in self.cache:
                return self.cache[key]
        value = fn()
        with self.lock:
            self.cache.setdefault(key, value)
            return self.cache[key]

    def forget(self, prefix: str) -> None:
        """Drop cached entries whose key starts with ``prefix``."""
        with self.lock:
            for key in [k for k in self.cache if k.startswith(prefix)]:
                del self.cache[key]

    def add_secret(self, value: Any) -> None:
        """Register a value (generated password, private key) to be redacted everywhere."""
        if self.secret_sink and isinstance(value, str) and value:
            self.secret_sink(value)


def is_not_found(exc: BaseException) -> bool:
    """True for openstacksdk's 404s."""
    if sdk_exc is not None and isinstance(exc, (sdk_exc.NotFoundException, sdk_exc.ResourceNotFound)):
        return True
    return status_of(exc) == 404


def to_plain(obj: Any) -> Any:
    """An SDK resource (or anything) as JSON-able plain data."""
    if obj is None:
        return None
    if hasattr(obj, "to_dict"):
        try:
            data = obj.to_dict(computed=False)
        except TypeError:
            data = obj.to_dict()
        data.pop("location", None)
        return _plain(data)
    return _plain(obj)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if hasattr(value, "to_dict"):
        return to_plain(value)
    return value


class ResourceType:
    """What the engine knows of a resource type besides converging it (Heat's type facts).

    Every handler is one; a type the engine does not converge but whose facts the resolver
    still applies subclasses this alone and is listed in ``handlers.TYPE_KNOWLEDGE``.
    """

    type_name: str = ""
    #: delete order of an orphan (a resource of unknown wiring): lower ranks are deleted first;
    #: None: no order among orphans
    delete_rank: int | None = None
    #: a group: the template property holding its member definition, whose type Heat checks
    #: offline (None: not a group whose members are checked)
    member_definition: str | None = None
    #: with ``member_definition``: a provider-template member is resolved offline once (index
    #: 0, properties through the type's ``substitute_index``), a nested stack below the group's
    member_stacks: bool = False
    #: a resource that is the nested stack of a template given by URL: ``(URL property,
    #: parameters property)``; None otherwise
    template_url: tuple[str, str] | None = None

    @classmethod
    def add_dependencies(cls, resource: Any, index: StackIndex) -> Iterable[str]:
        """Heat's ``add_dependencies``: names of resources ``resource`` implicitly waits for.

        ``resource`` is the resolved definition (``name``, ``properties``, ``depends_on``);
        ``index`` the stack-wide lookups. Names already depended on are ignored.
        """
        return ()


class Handler(ResourceType):
    """Base of every resource handler. Subclasses set the class attributes below."""

    #: deliberate differences from Heat's schema of the type: property -> Override (with why)
    schema_overrides: Mapping[str, Override] = {}
    #: properties whose schema default ``desired`` fills in when the template leaves them out
    applied_defaults: tuple[str, ...] = ()
    #: properties that carry secrets (redacted, compared by digest)
    secret_properties: frozenset[str] = frozenset()
    #: the whole schema of a type Heat's catalog does not have (None: the catalog's, overridden)
    own_schema: ResourceSchema | None = None
    attributes: tuple[str, ...] = ()
    #: how ownership is marked: tags | metadata | name | description | derived | local
    marking: str = "tags"
    #: replacement creates the new resource before deleting the old one
    create_before_delete: bool = True
    #: properties whose observed value ``observe`` reports (drift detection)
    observed: frozenset = frozenset()
    #: local resources exist only in the stack record (OS::Heat::*)
    local: bool = False

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.conn = ctx.conn

    # ---- helpers -------------------------------------------------------------------
    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call the SDK with the shared retry policy."""
        return self.ctx.retry.call(fn, *args, **kwargs)

    def call_list(self, fn: Callable[..., Iterable[Any]], **query: Any) -> list:
        """List with retries (a generator is consumed inside the retry)."""
        return self.ctx.retry.call(lambda: list(fn(**query)))

    @classmethod
    def schema(cls) -> ResourceSchema:
        """The one schema of the type (Heat's facts with ``schema_overrides``), as validation reads it."""
        schema = get_schema(cls.type_name)
        if schema is None:
            raise HandlerError(f"{cls.type_name or cls.__name__} has no schema")
        return schema

    @classmethod
    def update_allowed(cls, prop: str) -> bool:
        """Whether changing ``prop`` can be done in place (the schema decides)."""
        return cls.schema().update_allowed(prop)

    def change_notes(self, changed: set[str], desired: Mapping[str, Any]) -> dict[str, tuple[bool, str]]:
        """How each changed property is applied: ``{prop: (needs_replacement, note)}``.

        The default follows ``update_allowed``; a type whose update policy lives in other
        properties (a server's ``flavor_update_policy``...) overrides this.
        """
        return {k: (not self.update_allowed(k), "" if self.update_allowed(k) else "replace only") for k in changed}

    @classmethod
    def secret_props(cls) -> frozenset:
        """Names of properties that carry secrets."""
        return cls.secret_properties

    def previous(self, logical: str) -> dict:
        """The resolved properties the record held for ``logical`` (of this type) at the start."""
        entry = self.ctx.recorded.get(logical) or {}
        if entry.get("type") != self.type_name:
            return {}
        return dict(entry.get("properties") or {})

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        """Template properties with the ``applied_defaults`` filled in (what we converge to)."""
        out = {}
        declared = self.schema().properties if self.applied_defaults else {}
        for name in self.applied_defaults:
            value = props.get(name)
            out[name] = declared[name].default if value is None else value
        for name, value in props.items():
            out.setdefault(name, value)
        return out

    def name_for(self, logical: str, props: Mapping[str, Any]) -> str:
        """The physical name: the template's ``name`` or a deterministic one."""
        return props.get("name") or ownership.default_name(self.ctx.stack_name, logical)

    def wait_for(self, fetch: Callable[[], Any], ready: Callable[[Any], bool],
                 failed: Callable[[Any], str | None], what: str, timeout: float | None = None,
                 final: bool = False) -> Any:
        """Poll ``fetch`` until ``ready``; raise HandlerError on failure or timeout.

        The wait ends after ``timeout`` (default: the resource timeout, or the module's
        ``timeout`` option when set) or at the stack deadline, whichever comes first; the error
        says which limit was reached. ``final``: the last wait of a create or delete (nothing
        later in the same action needs it); when the executor runs the action ``without_wait``
        it is skipped: ``fetch()`` once, unjudged (as openstack.cloud's ``wait: false``).
        """
        if final and not self.ctx.waits():
            return fetch()
        limit = timeout or self.ctx.resource_timeout
        deadline = time.monotonic() + limit
        limit_text = f"{self.ctx.timeout_name} {limit:g} s" if not timeout else f"timeout {limit:g} s"
        stack_deadline = self.ctx.stack_deadline
        if stack_deadline is not None and stack_deadline < deadline:
            deadline = stack_deadline
            limit_text = f"stack_timeout {self.ctx.stack_timeout or 0:g} s"
        delay = min(0.3, self.ctx.poll)
        while True:
            obj = fetch()
            reason = failed(obj)
            if reason:
                raise HandlerError(f"{what} failed: {reason}")
            if ready(obj):
                return obj
            now = time.monotonic()
            if now > deadline:
                raise HandlerError(f"timed out waiting for {what} ({limit_text} reached)")
            time.sleep(max(0.0, min(delay, deadline - now + 0.01)))
            delay = min(self.ctx.poll * 2, delay * 1.5)

    def wait_gone(self, fetch: Callable[[], Any], what: str, failed: Callable[[Any], str | None] | None = None) -> None:
        """Poll until ``fetch`` returns None (deleted); the final wait of a delete."""
        self.wait_for(fetch, lambda o: o is None, failed or (lambda o: None), f"deletion of {what}", final=True)

    def fetch_or_none(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` or None on 404."""
        try:
            return self.call(fn, *args)
        except Exception as exc:  # noqa: BLE001
            if is_not_found(exc):
                return None
            raise

    def delete_ignoring_missing(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Delete; a resource already gone counts as deleted."""
        try:
            self.call(fn, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            if not is_not_found(exc):
                raise

    # ---- discovery -----------------------------------------------------------------
    def list_owned(self, wanted: Iterable[str]) -> list[Found]:
        """Every resource of this type marked with the stack (one list call)."""
        return []

    def find(self, logical: str, props: Mapping[str, Any]) -> Found | None:
        """Find an unmarked resource from its desired properties (derived types)."""
        return None

    def fetch(self, physical_id: str) -> Any:
        """The current object for ``physical_id`` or None when gone."""
        raise NotImplementedError

    def fits(self, obj: Any, desired: Mapping[str, Any]) -> bool:
        """Whether an observed copy agrees with the references ``desired`` holds that cannot
        change in place (a subnet's network): of several unrecorded copies, one that fits the
        copies kept of its dependencies is kept."""
        return True

    def created_at(self, obj: Any) -> str | None:
        """When the API created ``obj`` (ISO 8601, comparable within the type), None when it
        does not say: which of several marked copies of one resource is the oldest."""
        value = obj.get("created_at") if isinstance(obj, Mapping) else getattr(obj, "created_at", None)
        return str(value) if value else None

    # ---- lifecycle -----------------------------------------------------------------
    def readiness(self, obj: Any) -> str:
        """``ready``, ``pending`` (still being built: resume by waiting) or ``failed``."""
        return "ready"

    def wait_ready(self, physical_id: str) -> Any:
        """Wait for a resource whose create was interrupted (a killed run)."""
        return self.fetch(physical_id)

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        """Create, call ``on_id(physical_id)`` the moment the API returns it, wait ready."""
        raise NotImplementedError

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        """Apply update-allowed ``changed`` properties in place; return the new object."""
        raise NotImplementedError

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        """Delete and wait until gone; missing counts as deleted."""
        raise NotImplementedError

    # ---- reading -------------------------------------------------------------------
    def physical_id(self, obj: Any) -> str:
        """The physical id of an observed object."""
        return obj.id

    def ref(self, obj: Any, physical_id: str) -> str:
        """What ``get_resource`` returns (the physical id for most types)."""
        return physical_id

    def observe(self, obj: Any) -> dict:
        """Observed values of the ``observed`` properties, comparable to ``desired``."""
        return {}

    def attrs(self, obj: Any) -> dict:
        """Attribute values for ``get_attr`` (``show`` is added by ``attribute``)."""
        return {}

    def desired_compare(self, prop: str, desired: Any, observed: Any) -> bool | None:
        """Type-specific comparison of one property; None = use the generic one."""
        return None

    def observed_value(self, prop: str, value: Any) -> Any:
        """The JSON-able form of an observed property (for diffs)."""
        return value

    def attribute(self, obj: Any, name: str) -> Any:
        """One attribute; ``show`` is the whole object."""
        if name == "show":
            return to_plain(obj)
        values = self.attrs(obj)
        if name in values:
            return values[name]
        plain = to_plain(obj)
        if isinstance(plain, Mapping) and name in plain:
            return plain[name]
        raise HandlerError(f"{self.type_name} has no attribute '{name}'")


def same(desired: Any, observed: Any) -> bool:
    """Loose equality used for drift: None == '' == [] == {}, numbers vs strings, list order."""
    empty = (None, "", [], {})
    if desired in empty and observed in empty:
        return True
    if isinstance(desired, bool) or isinstance(observed, bool):
        return _bool(desired) == _bool(observed)
    if isinstance(desired, (int, float)) and not isinstance(desired, bool) and isinstance(observed, str):
        return str(desired) == observed
    if isinstance(observed, (int, float)) and isinstance(desired, str):
        return desired == str(observed)
    if isinstance(desired, Mapping) and isinstance(observed, Mapping):
        keys = set(desired) | set(observed)
        return all(same(desired.get(k), observed.get(k)) for k in keys)
    if isinstance(desired, (list, tuple)) and isinstance(observed, (list, tuple)):
        if len(desired) != len(observed):
            return False
        try:
            return sorted(map(_key, desired)) == sorted(map(_key, observed))
        except TypeError:
            return all(same(a, b) for a, b in zip(desired, observed, strict=False))
    return desired == observed


def _key(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True, default=str)


def _bool(value: Any) -> Any:
    if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0", "on", "off"):
        return value.lower() in ("true", "yes", "1", "on")
    return value


_FINDERS = {
    "network": ("network", "find_network"),
    "subnet": ("network", "find_subnet"),
    "port": ("network", "find_port"),
    "router": ("network", "find_router"),
    "security_group": ("network", "find_security_group"),
    "qos_policy": ("network", "find_qos_policy"),
    "subnetpool": ("network", "find_subnet_pool"),
    "image": ("image", "find_image"),
    "flavor": ("compute", "find_flavor"),
    "server": ("compute", "find_server"),
    "volume": ("block_storage", "find_volume"),
    "volume_type": ("block_storage", "find_type"),
    "server_group": ("compute", "find_server_group"),
}


class CloudHandler(Handler):
    """Handler over an openstacksdk proxy with name-or-id lookups."""

    def resolve_id(self, kind: str, value: Any) -> Any:
        """The id of ``kind`` named or identified by ``value`` (cached per run)."""
        if value in (None, "") or looks_like_id(value) and kind not in ("flavor",):
            return value
        proxy_name, finder = _FINDERS[kind]

        def lookup() -> Any:
            proxy = getattr(self.conn, proxy_name)
            found = self.call(getattr(proxy, finder), value, ignore_missing=True)
            if found is None:
                raise HandlerError(f"{kind} '{value}' not found")
            return found.id

        return self.ctx.cached(f"id:{kind}:{value}", lookup)


class NeutronTagged(CloudHandler):
    """Neutron resources marked with tags; list by the stack tag, one call per type."""

    marking = "tags"
    #: name of the proxy methods, e.g. ``networks`` / ``get_network`` / ...
    sdk_noun: str = ""
    sdk_plural: str = ""

    def _proxy(self) -> Any:
        return self.conn.network

    def list_owned(self, wanted: Iterable[str]) -> list[Found]:
        """One list call. Tagged resources, and untagged ones whose description carries the
        creation mark (Neutron without tags in POST: killed between create and tagging), or
        whose name is the one of a create the record shows in flight (see ``_in_flight``)."""
        wanted = list(wanted)
        items = self.call_list(getattr(self._proxy(), self.sdk_plural))
        in_flight = self._in_flight(wanted)
        found = []
        by_name: dict[str, list] = {}
        for obj in items:
            logical = ownership.logical_from_tags(self.ctx.stack_name, obj.tags, wanted)
            if logical:
                found.append(Found(logical, obj.id, obj))
                continue
            if any(ownership.is_mark_tag(t) for t in obj.tags or []):
                continue
            logical = ownership.logical_from_description(self.ctx.stack_name, getattr(obj, "description", None))
            if logical and "/" not in logical:
                found.append(Found(logical, obj.id, obj, "description"))
            elif obj.name in in_flight:
                by_name.setdefault(obj.name, []).append(obj)
        for name, objs in by_name.items():
            if len(objs) == 1:  # several: none is known to be ours, none is taken
                found.append(Found(in_flight[name], objs[0].id, objs[0], "name"))
        return found

    def _in_flight(self, wanted: Iterable[str]) -> dict[str, str]:
        """Physical name -> logical name of the creates a killed run left in flight.

        The record says ``CREATE_IN_PROGRESS`` without a physical id: the POST may have reached
        Neutron, which (without tags in POST) got no mark when the template gives the resource
        a description. The name the record holds for it is the mark it carried.
        """
        out: dict[str, str] = {}
        for logical in wanted:
            entry = self.ctx.recorded.get(logical) or {}
            name = (entry.get("properties") or {}).get("name")
            if entry.get("type") == self.type_name and entry.get("status") == "CREATE_IN_PROGRESS" and \
                    not entry.get("physical_id") and isinstance(name, str) and name:
                out.setdefault(name, logical)
        return out

    def fetch(self, physical_id: str) -> Any:
        return self.fetch_or_none(getattr(self._proxy(), "get_" + self.sdk_noun), physical_id)

    def create_tagged(self, logical: str, body: dict, user_tags: Any, on_id: Callable[[str], None]) -> Any:
        """Create with the ownership tags in the POST body (falls back to set_tags)."""
        tags = ownership.tags_for(self.ctx.stack_name, logical, user_tags)
        create = getattr(self._proxy(), "create_" + self.sdk_noun)
        body = {k: v for k, v in body.items() if v is not None}
        if not body.get("description"):
            # a second mark that travels in the POST itself
            body["description"] = ownership.description_mark(self.ctx.stack_name, logical)
        obj = None
        if not self.ctx.cache.get("neutron:no-tags-in-post"):
            try:
                obj = self.call(create, tags=tags, retry_conflict=False, **body)
            except Exception as exc:  # noqa: BLE001 - Neutron without the tag-creation extension
                if status_of(exc) != 400 or "tags" not in str(exc):
                    raise
                with self.ctx.lock:
                    self.ctx.cache["neutron:no-tags-in-post"] = True
        if obj is None:
            # the id reaches the record before the tags are set (on_id flushes it at once)
            obj = self.call(create, retry_conflict=False, **body)
        on_id(obj.id)
        if set(tags) - set(obj.tags or []):
            obj = self.call(self._proxy().set_tags, obj, tags)
        return obj

    def ensure_marks(self, obj: Any, logical: str) -> Any:
        """Add missing ownership tags (a run killed between create and tagging)."""
        tags = ownership.tags_for(self.ctx.stack_name, logical, ownership.user_tags(obj.tags))
        if set(tags) - set(obj.tags or []):
            return self.call(self._proxy().set_tags, obj, tags)
        return obj

    def unmark(self, physical_id: str) -> None:
        """Drop the ownership tags (``deletion_policy: Retain``): the resource leaves the stack."""
        obj = self.fetch(physical_id)
        if obj is not None:
            self.call(self._proxy().set_tags, obj, ownership.user_tags(obj.tags))

    def update_tags(self, obj: Any, logical: str, user_tags: Any) -> None:
        """Replace the user's tags, keeping the ownership marks."""
        self.call(self._proxy().set_tags, obj, ownership.tags_for(self.ctx.stack_name, logical, user_tags))

    @staticmethod
    def update_body(full: Mapping[str, Any], attr: Mapping[str, str], changed: set[str],
                    create_only: Iterable[str] = ()) -> dict:
        """The PUT body of an in-place update, out of the full body ``full``.

        ``attr`` maps each updatable property to its SDK field: only the fields of ``changed``
        properties are sent. Fields ``attr`` does not name (``value_specs``) are always sent,
        except those in ``create_only``.
        """
        wanted = {attr[k] for k in changed if k in attr}
        skip = set(attr.values()) | set(create_only)
        return {k: v for k, v in full.items() if k in wanted or k not in skip}

    def update_tagged(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str],
                      body: Mapping[str, Any], put_for: set[str] | None = None) -> Any:
        """Update in place: PUT ``body`` when ``put_for`` (default: the changed properties but
        ``tags``) is not empty, then replace the user's tags when they changed.

        Returns the object as the PUT returned it (not read back).
        """
        put = changed - {"tags"} if put_for is None else put_for
        if put:
            obj = self.call(getattr(self._proxy(), "update_" + self.sdk_noun), obj, **body)
        if "tags" in changed:
            self.update_tags(obj, logical, props.get("tags"))
        return obj

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        self.delete_ignoring_missing(getattr(self._proxy(), "delete_" + self.sdk_noun), physical_id)

    def attrs(self, obj: Any) -> dict:
        plain = to_plain(obj)
        plain["tags"] = ownership.user_tags(plain.get("tags"))
        if "project_id" in plain:
            plain.setdefault("tenant_id", plain["project_id"])
        return plain


def value_specs(props: Mapping[str, Any]) -> dict:
    """``value_specs`` merged into a request body."""
    return dict(props.get("value_specs") or {})


class NeutronOnNetwork(NeutronTagged):
    """A tagged Neutron resource that lives on one network (subnet, port)."""

    def fits(self, obj: Any, desired: Mapping[str, Any]) -> bool:
        """On the network ``desired`` names (a network given by name is not judged)."""
        network = desired.get("network")
        return not (isinstance(network, str) and looks_like_id(network)) or getattr(obj, "network_id", None) == network

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        """The physical name, and ``network_id`` (Heat's deprecated spelling) as ``network``."""
        out = super().desired(logical, props)
        out["name"] = self.name_for(logical, props)
        if out.get("network") is None and out.get("network_id"):
            out["network"] = out["network_id"]
        return out


class LocalHandler(Handler):
    """Resources that exist only inside the stack (OS::Heat::*): no cloud calls.

    The observed object is ``{"props": <resolved properties>}``; the physical id is
    ``<stack>-<logical>``. Deterministic types are "found" whenever the template names
    them, so a run that lost its record re-adopts them without a change.
    """

    marking = "local"
    local = True
    deterministic = True

    def local_id(self, logical: str) -> str:
        """The physical id of a local resource."""
        return ownership.default_name(self.ctx.stack_name, logical)

    def find(self, logical: str, props: Mapping[str, Any]) -> Found | None:
        if not self.deterministic:
            return None
        return Found(logical, self.local_id(logical), {"props": dict(props)})

    def fetch(self, physical_id: str) -> Any:
        return None

    def create(self, logical: str, props: Mapping[str, Any], on_id: Callable[[str], None]) -> Any:
        on_id(self.local_id(logical))
        return {"props": dict(props)}

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        return {"props": dict(props)}

    def delete(self, physical_id: str, obj: Any = None, policy: str = "Delete") -> None:
        return None

    def physical_id(self, obj: Any) -> str:
        raise NotImplementedError

    def attribute(self, obj: Any, name: str) -> Any:
        values = self.attrs(obj)
        if name == "show":
            return dict(obj.get("props") or {})
        if name in values:
            return values[name]
        raise HandlerError(f"{self.type_name} has no attribute '{name}'")
