"""OS::Swift::Container and AWS::S3::Bucket over a fake Swift account (plain HTTP)."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest

from ansible_collections.heatlike.cloud.plugins.module_utils.resources import get_handler, get_schema
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.aws.s3_bucket import S3BucketHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import Context, HandlerError
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.swift.container import ContainerHandler

ENDPOINT = "http://127.0.0.1:8080/v1/AUTH_p1"


class Resp:
    def __init__(self, status: int, headers: dict | None = None, body: Any = None) -> None:
        self.status_code = status
        self.headers = headers or {}
        self._body = body
        self.text = "" if body is None else json.dumps(body)

    def json(self) -> Any:
        return self._body


class FakeSwift:
    """An account of containers: name -> {"meta": {header: value}, "objects": [names]}."""

    def __init__(self) -> None:
        self.containers: dict[str, dict] = {}
        self.account: dict[str, str] = {}
        self.calls: list[tuple[str, str, dict]] = []
        #: DELETE of a container answers 409 this many times (objects awaiting the expirer)
        self.conflicts = 0

    def get_endpoint(self) -> str:
        return ENDPOINT

    def request(self, path: str, method: str, headers: dict | None = None, raise_exc: bool = True) -> Resp:
        headers = dict(headers or {})
        self.calls.append((method, path, headers))
        if not path:
            for key, value in headers.items():
                if key.startswith("X-Remove-"):
                    self.account.pop("X-" + key[len("X-Remove-"):], None)
                else:
                    self.account[key] = value
            return Resp(204)
        route, _sep, query = path.partition("?")
        parts = [urllib.parse.unquote(p) for p in route.lstrip("/").split("/", 1)]
        cont = self.containers.get(parts[0])
        if len(parts) == 2:
            if cont is None or parts[1] not in cont["objects"]:
                return Resp(404)
            cont["objects"].remove(parts[1])
            return Resp(204)
        if method == "PUT":
            self.containers.setdefault(parts[0], {"meta": {}, "objects": []})["meta"].update(headers)
            return Resp(201)
        if cont is None:
            return Resp(404)
        if method == "HEAD":
            return Resp(204, {**cont["meta"], "X-Container-Object-Count": str(len(cont["objects"])),
                              "X-Container-Bytes-Used": str(10 * len(cont["objects"]))})
        if method == "POST":
            for key, value in headers.items():
                if key.startswith("X-Remove-"):
                    gone = ("X-" + key[len("X-Remove-"):]).lower()
                    cont["meta"] = {k: v for k, v in cont["meta"].items() if k.lower() != gone}
                else:
                    cont["meta"] = {k: v for k, v in cont["meta"].items() if k.lower() != key.lower()}
                    cont["meta"][key] = value
            return Resp(204)
        if method == "GET":
            return Resp(200, body=[{"name": o} for o in cont["objects"]])
        if method == "DELETE":
            if self.conflicts:
                self.conflicts -= 1
                return Resp(409)
            if cont["objects"]:
                return Resp(409)
            del self.containers[parts[0]]
            return Resp(204)
        raise AssertionError(f"unexpected {method} {path}")


class Access:
    project_name = "demo"
    username = "alice"


class Auth:
    def get_access(self, _session: Any) -> Access:
        return Access()


class Conn:
    def __init__(self) -> None:
        self.object_store = FakeSwift()
        self.session = self
        self.auth = Auth()


def _ctx(conn: Conn, recorded: dict | None = None) -> Context:
    return Context(conn=conn, stack_name="st", poll=0.01, recorded=recorded or {})


def _create(handler: ContainerHandler, logical: str, props: dict) -> Any:
    ids = []
    obj = handler.create(logical, handler.desired(logical, props), ids.append)
    assert ids == [handler.physical_id(obj)]
    return obj


def test_container_is_created_with_heats_headers_and_marks():
    conn = Conn()
    handler = ContainerHandler(_ctx(conn))
    obj = _create(handler, "box", {"X-Container-Meta": {"Color": "red"}, "X-Account-Meta": {"Team": "a"},
                                   "X-Container-Read": ".r:*", "PurgeOnDelete": False})
    assert obj["name"] == "st-box"  # deterministic name when the template gives none
    meta = conn.object_store.containers["st-box"]["meta"]
    assert meta == {"X-Container-Meta-Color": "red", "X-Container-Meta-heatlike-stack": "st",
                    "X-Container-Meta-heatlike-resource": "box", "X-Container-Read": ".r:*"}
    assert conn.object_store.account == {"X-Account-Meta-Team": "a"}
    assert handler.observe(obj) == {"X-Container-Read": ".r:*", "X-Container-Write": None,
                                    "X-Container-Meta": {"color": "red"}}
    assert handler.find("box", {}).physical_id == "st-box"
    assert handler.find("other", {"name": "st-box"}) is None  # marked for another resource


def test_an_existing_container_of_no_stack_is_not_adopted():
    conn = Conn()
    conn.object_store.containers["taken"] = {"meta": {}, "objects": ["x"]}
    handler = ContainerHandler(_ctx(conn))
    with pytest.raises(HandlerError, match="container 'taken' already exists and belongs to no stack"):
        _create(handler, "box", {"name": "taken"})
    assert handler.find("box", {"name": "taken"}) is None


def test_update_sets_and_removes_metadata_and_acls_in_place():
    conn = Conn()
    recorded = {"box": {"type": "OS::Swift::Container", "physical_id": "c1",
                        "properties": {"X-Account-Meta": {"Old": "1", "Keep": "k"}}}}
    handler = ContainerHandler(_ctx(conn, recorded))
    obj = _create(handler, "box", {"name": "c1", "X-Container-Meta": {"a": "1", "b": "2"},
                                   "X-Container-Read": "demo:demo"})
    new = handler.update(obj, "box", {"name": "c1", "X-Container-Meta": {"a": "9"}, "X-Container-Read": "",
                                      "X-Container-Write": "p:u", "X-Account-Meta": {"Keep": "k2"}},
                         {"X-Container-Meta", "X-Container-Read", "X-Container-Write", "X-Account-Meta"})
    assert handler.observe(new) == {"X-Container-Read": None, "X-Container-Write": "p:u",
                                    "X-Container-Meta": {"a": "9"}}
    assert new["headers"]["x-container-meta-heatlike-resource"] == "box"  # marks survive
    assert conn.object_store.account == {"X-Account-Meta-Keep": "k2"}
    assert ("POST", "", {"X-Account-Meta-Keep": "k2", "X-Remove-Account-Meta-Old": "x"}) in conn.object_store.calls
    assert list(conn.object_store.containers) == ["c1"]  # never replaced


def test_in_place_properties_are_schema_overrides_and_name_replaces():
    schema = get_schema("OS::Swift::Container")
    assert not schema.update_allowed("name")
    for prop in ("X-Container-Read", "X-Container-Write", "X-Container-Meta", "X-Account-Meta", "PurgeOnDelete"):
        assert schema.update_allowed(prop)
    assert get_handler("OS::Swift::Container") is ContainerHandler
    assert get_handler("AWS::S3::Bucket") is S3BucketHandler


def test_metadata_and_acl_compare_as_swift_stores_them():
    handler = ContainerHandler(_ctx(Conn()))
    assert handler.desired_compare("X-Container-Meta", {"Color": 1}, {"color": "1"})
    assert not handler.desired_compare("X-Container-Meta", {"Color": "1"}, {"color": "1", "extra": "x"})
    assert handler.desired_compare("X-Container-Read", ".r:*, .rlistings", ".r:*,.rlistings")


def test_delete_refuses_a_non_empty_container_without_purge_on_delete():
    conn = Conn()
    conn.object_store.containers["c1"] = {"meta": {}, "objects": ["a"]}
    handler = ContainerHandler(_ctx(conn, {"box": {"type": "OS::Swift::Container", "physical_id": "c1",
                                                   "properties": {"PurgeOnDelete": False}}}))
    with pytest.raises(HandlerError, match="container 'c1' is not empty .* PurgeOnDelete is false"):
        handler.delete("c1")
    assert conn.object_store.containers["c1"]["objects"] == ["a"]


def test_purge_on_delete_deletes_objects_then_retries_while_swift_answers_409():
    conn = Conn()
    conn.object_store.containers["c1"] = {"meta": {}, "objects": ["a", "b/c"]}
    conn.object_store.conflicts = 2
    handler = ContainerHandler(_ctx(conn, {"box": {"type": "OS::Swift::Container", "physical_id": "c1",
                                                   "properties": {"PurgeOnDelete": True}}}))
    handler.delete("c1")
    assert "c1" not in conn.object_store.containers
    assert ("DELETE", "/c1/b/c", {}) in conn.object_store.calls
    handler.delete("c1")  # already gone: deleted


def test_retain_drops_the_marks_only():
    conn = Conn()
    handler = ContainerHandler(_ctx(conn))
    _create(handler, "box", {"X-Container-Meta": {"a": "1"}})
    handler.unmark("st-box")
    assert conn.object_store.containers["st-box"]["meta"] == {"X-Container-Meta-a": "1"}


def test_attributes_are_heats():
    conn = Conn()
    handler = ContainerHandler(_ctx(conn))
    obj = _create(handler, "box", {})
    conn.object_store.containers["st-box"]["objects"].append("o")
    obj = handler.fetch("st-box")
    assert handler.attribute(obj, "DomainName") == "127.0.0.1"
    assert handler.attribute(obj, "RootURL") == ENDPOINT
    assert handler.attribute(obj, "WebsiteURL") == ENDPOINT + "/st-box"
    assert handler.attribute(obj, "ObjectCount") == "1"  # Heat returns the header's text
    assert handler.attribute(obj, "BytesUsed") == "10"
    assert handler.attribute(obj, "HeadContainer")["x-container-meta-heatlike-stack"] == "st"
    assert handler.attribute(obj, "show") == handler.attribute(obj, "HeadContainer")
    assert handler.ref(obj, "st-box") == "st-box"


@pytest.mark.parametrize("acl, read, write", [
    ("Private", "demo:alice", "demo:alice"),
    (None, "demo:alice", "demo:alice"),
    ("PublicRead", ".r:*", "demo:alice"),
    ("PublicReadWrite", ".r:*", ".r:*"),
    ("AuthenticatedRead", "demo", "demo:alice"),
    ("BucketOwnerFullControl", "demo:alice", "demo:alice"),
])
def test_s3_bucket_access_control_maps_as_heat(acl, read, write):
    conn = Conn()
    handler = S3BucketHandler(_ctx(conn))
    _create(handler, "bucket", {"AccessControl": acl})
    meta = conn.object_store.containers["st-bucket"]["meta"]
    assert (meta.get("X-Container-Read"), meta.get("X-Container-Write")) == (read, write)


def test_s3_bucket_tags_and_website_become_container_metadata_and_update_in_place():
    conn = Conn()
    handler = S3BucketHandler(_ctx(conn))
    props = {"Tags": [{"Key": "team", "Value": "red"}],
             "WebsiteConfiguration": {"IndexDocument": "index.html", "ErrorDocument": "error.html"}}
    assert handler.desired("bucket", props) == props  # no name: the bucket's is the stack's
    obj = _create(handler, "bucket", props)
    assert handler.observe(obj) == {"X-Container-Read": "demo:alice", "X-Container-Write": "demo:alice",
                                    "X-Container-Meta": {"s3-tag-team": "red", "web-index": "index.html",
                                                         "web-error": "error.html"}}
    new = handler.update(obj, "bucket", {"Tags": [{"Key": "owner", "Value": "x"}]}, {"Tags", "WebsiteConfiguration"})
    assert handler.observe(new)["X-Container-Meta"] == {"s3-tag-owner": "x"}
    assert set(handler.attrs(new)) == {"DomainName", "WebsiteURL"}
    assert handler.attribute(new, "WebsiteURL") == ENDPOINT + "/st-bucket"
    assert all(get_schema("AWS::S3::Bucket").update_allowed(p) for p in ("AccessControl", "WebsiteConfiguration", "Tags"))


def test_s3_bucket_is_never_purged():
    conn = Conn()
    conn.object_store.containers["st-bucket"] = {"meta": {}, "objects": ["a"]}
    handler = S3BucketHandler(_ctx(conn, {"bucket": {"type": "AWS::S3::Bucket", "physical_id": "st-bucket",
                                                     "properties": {"PurgeOnDelete": True}}}))
    with pytest.raises(HandlerError, match="not empty"):
        handler.delete("st-bucket")


def test_swift_errors_are_one_line_naming_the_request():
    conn = Conn()

    def broken(path: str, method: str, headers: dict | None = None, raise_exc: bool = True) -> Resp:
        return Resp(403, body={"x": 1})
    conn.object_store.request = broken
    handler = ContainerHandler(_ctx(conn))
    with pytest.raises(HandlerError, match=r"^Swift HEAD /st-box: 403"):
        _create(handler, "box", {})
