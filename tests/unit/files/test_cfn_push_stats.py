"""The cfn-push-stats shim (files/cfn-push-stats): options, measurements, payloads, and its
HTTP conversation with Keystone, Gnocchi and Aodh (a small fake cloud on 127.0.0.1)."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SCRIPT = os.path.join(REPO, "files", "cfn-push-stats")


def _load():
    loader = importlib.machinery.SourceFileLoader("heatlike_cfn_push_stats", SCRIPT)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


cps = _load()

MEMINFO = """MemTotal:        2000000 kB
MemFree:          500000 kB
MemAvailable:     800000 kB
Buffers:           10000 kB
Cached:           200000 kB
SwapTotal:       1000000 kB
SwapFree:         750000 kB
"""


@pytest.fixture
def proc(tmp_path):
    (tmp_path / "meminfo").write_text(MEMINFO)
    (tmp_path / "stat").write_text("cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 100 0 100 800 0 0 0 0 0 0\n")
    return tmp_path


# ---------------------------------------------------------------- options


def test_the_cfn_push_stats_options_templates_use_are_accepted():
    args = cps.parse_args(["--mem-util", "--mem-used", "--mem-avail", "--swap-util", "--swap-used",
                           "--disk-space-util", "--disk-space-used", "--disk-space-avail", "--disk-path", "/",
                           "--memory-units", "GIGABYTES", "--disk-units", "kilobytes", "--cpu-util",
                           "--heartbeat", "--service-failure", "--watch", "HttpFailureAlarm",
                           "--credential-file", "/etc/cfn/cfn-credentials", "-v"])
    assert args.memory_units == "gigabytes" and args.disk_units == "kilobytes"
    assert args.watch == "HttpFailureAlarm" and args.verbose
    assert all(getattr(args, flag) for flag in cps.METRIC_FLAGS)


@pytest.mark.parametrize("argv,message", [
    ([], "nothing to push"),
    (["--metric", "Queue"], "--metric and --value go together"),
    (["--metric", "Queue", "--value", "lots"], "must be a number"),
    (["--haproxy"], "not supported"),
    (["--mem-util", "--memory-units", "petabytes"], "invalid choice"),
])
def test_bad_options_are_refused_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        cps.parse_args(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


# ---------------------------------------------------------------- measurements


def test_memory_and_swap_from_proc(proc):
    args = cps.parse_args(["--mem-util", "--mem-used", "--mem-avail", "--swap-util", "--swap-used",
                           "--memory-units", "kilobytes"])
    data = cps.collect(args, proc=str(proc))
    assert data["MemoryUtilization"] == {"value": 60.0, "unit": "Percent"}  # (2000000-800000)/2000000
    assert data["MemoryUsed"] == {"value": 1200000.0, "unit": "Kilobytes"}
    assert data["MemoryAvailable"] == {"value": 800000.0, "unit": "Kilobytes"}
    assert data["SwapUtilization"] == {"value": 25.0, "unit": "Percent"}
    assert data["SwapUsed"] == {"value": 250000.0, "unit": "Kilobytes"}


def test_memory_available_without_memavailable_counts_cache_and_buffers(proc):
    (proc / "meminfo").write_text("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 100 kB\nCached: 300 kB\n")
    stats = cps.memory_stats(cps.read_meminfo(str(proc)))
    assert stats["mem_avail"] == 500 * 1024 and stats["mem_util"] == 50.0 and stats["swap_util"] == 0.0


def test_cpu_utilisation_between_two_samples(proc):
    def sleep(_seconds):
        (proc / "stat").write_text("cpu  160 0 120 820 0 0 0 0 0 0\n")  # +80 busy, +20 idle

    data = cps.collect(cps.parse_args(["--cpu-util"]), proc=str(proc), sleep=sleep)
    assert data["CPUUtilization"] == {"value": 80.0, "unit": "Percent"}


def test_disk_metrics_follow_statvfs(tmp_path):
    args = cps.parse_args(["--disk-space-util", "--disk-space-used", "--disk-space-avail",
                           "--disk-path", str(tmp_path), "--disk-units", "bytes"])
    data = cps.collect(args)
    st = os.statvfs(str(tmp_path))
    used = (st.f_blocks - st.f_bfree) * st.f_frsize
    avail = st.f_bavail * st.f_frsize
    assert data["DiskSpaceUsed"]["value"] == pytest.approx(used, rel=0.01)
    assert data["DiskSpaceAvailable"]["value"] == pytest.approx(avail, rel=0.01)
    assert data["DiskSpaceUtilization"]["value"] == pytest.approx(100.0 * used / (used + avail), abs=0.5)


def test_heartbeat_service_failure_and_custom_metric():
    data = cps.collect(cps.parse_args(["--heartbeat", "--service-failure", "--metric", "Queue",
                                       "--value", "7.5", "--units", "Count"]))
    assert data == {"Heartbeat": {"value": 1.0, "unit": "Count"}, "ServiceFailure": {"value": 1.0, "unit": "Count"},
                    "Queue": {"value": 7.5, "unit": "Count"}}


def test_batch_payload_shape():
    body = cps.batch_body("i-1", {"Heartbeat": {"value": 1.0, "unit": "Count"}}, "2026-01-01T00:00:00")
    assert body == {"i-1": {"Heartbeat": [{"timestamp": "2026-01-01T00:00:00", "value": 1.0}]}}


# ---------------------------------------------------------------- configuration


def _write_config(tmp_path, **values):
    path = tmp_path / "push.conf"
    path.write_text("[heatlike]\n" + "".join(f"{k} = {v}\n" for k, v in values.items()))
    return str(path)


@pytest.mark.parametrize("values,message", [
    ({}, "auth_url is required"),
    ({"auth_url": "http://k"}, "no credentials"),
    ({"auth_url": "http://k", "application_credential_id": "a"}, "go together"),
    ({"auth_url": "http://k", "trust_id": "t", "user_id": "u"}, "trustee's user_id and password"),
    ({"auth_url": "http://k", "trust_id": "t", "application_credential_id": "a",
      "application_credential_secret": "s"}, "not both"),
    ({"auth_url": "http://k", "passwd": "x"}, "unknown configuration keys: passwd"),
])
def test_config_refuses_incomplete_credentials(tmp_path, values, message):
    with pytest.raises(cps.PushError) as exc:
        cps.Config.load(_write_config(tmp_path, **values))
    assert message in str(exc.value)


def test_auth_bodies_for_application_credential_and_trust(tmp_path):
    app = cps.Config.load(_write_config(tmp_path, auth_url="http://k", application_credential_id="a",
                                        application_credential_secret="s3cret"))
    assert app.auth_body()["auth"]["identity"] == {"methods": ["application_credential"],
                                                   "application_credential": {"id": "a", "secret": "s3cret"}}
    assert "s3cret" not in json.dumps(app.redacted())
    trust = cps.Config.load(_write_config(tmp_path, auth_url="http://k", trust_id="t1", user_id="u1",
                                          password="pw"))
    body = trust.auth_body()["auth"]
    assert body["scope"] == {"OS-TRUST:trust": {"id": "t1"}}
    assert body["identity"]["password"]["user"] == {"id": "u1", "password": "pw"}


# ---------------------------------------------------------------- against a fake cloud


class FakeCloud:
    """Keystone (tokens), Gnocchi (resources, metrics, batch measures) and Aodh (alarms)."""

    def __init__(self):
        self.resources: dict[str, dict] = {}
        self.measures: list[dict] = []
        self.alarms: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self.auth_bodies: list[dict] = []
        self.reject_auth = False
        cloud = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body=None, headers=None):
                raw = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _body(self):
                n = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(n)) if n else None

            def _handle(self):
                cloud.requests.append((self.command, self.path))
                url = urllib.parse.urlsplit(self.path)
                parts = url.path.strip("/").split("/")
                body = self._body()
                if parts[:3] == ["identity", "v3", "auth"]:
                    cloud.auth_bodies.append(body)
                    if cloud.reject_auth:
                        return self._send(401, {"error": {"message": "The request you have made requires authentication."}})
                    base = f"http://127.0.0.1:{cloud.port}"
                    catalog = [{"type": t, "endpoints": [{"interface": "public", "region_id": "RegionOne",
                                                          "url": f"{base}/{p}"}]}
                               for t, p in (("metric", "metric"), ("alarming", "alarming"))]
                    return self._send(201, {"token": {"catalog": catalog}}, {"X-Subject-Token": "tok-1"})
                if self.headers.get("X-Auth-Token") != "tok-1":
                    return self._send(401, {"error": "no token"})
                if parts[0] == "metric":
                    return self._gnocchi(parts[2:], body)
                if parts[0] == "alarming":
                    if len(parts) == 4:
                        alarm = cloud.alarms.get(parts[3])
                        return self._send(200, alarm) if alarm else self._send(404, {"error_message": "not found"})
                    q = urllib.parse.parse_qs(url.query)
                    name = q.get("q.value", [None])[0]
                    return self._send(200, [a for a in cloud.alarms.values() if a["name"] == name])
                return self._send(404, {})

            def _gnocchi(self, parts, body):
                if parts[0] == "batch":
                    for rid in body:
                        if rid not in cloud.resources:
                            return self._send(400, {"description": "Unknown resources"})
                    cloud.measures.append(body)
                    return self._send(202)
                rtype = parts[1]
                if self.command == "POST" and len(parts) == 2:
                    if body["id"] in cloud.resources:
                        return self._send(409, {"description": "exists"})
                    created = body.pop("metrics", {})
                    res = dict(body, type=rtype, metrics={n: "m-" + n for n in created}, created_metrics=created)
                    cloud.resources[body["id"]] = res
                    return self._send(201, res)
                res = cloud.resources.get(parts[2])
                if res is None:
                    return self._send(404, {"description": "Resource not found"})
                if self.command == "GET":
                    return self._send(200, res)
                if self.command == "PATCH":
                    res.update(body)
                    return self._send(200, res)
                if self.command == "POST" and parts[3:] == ["metric"]:
                    res["metrics"].update({n: "m-" + n for n in body})
                    return self._send(200, res)
                return self._send(405, {})

            do_GET = do_POST = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def cloud():
    fake = FakeCloud()
    yield fake
    fake.close()


INSTANCE = "6f1c4a8e-2a8b-4e52-9a53-1c1d3f0e7a11"


def _config(tmp_path, cloud, **extra):
    values = {"auth_url": f"http://127.0.0.1:{cloud.port}/identity", "application_credential_id": "ac-1",
              "application_credential_secret": "ac-secret-value", "instance_id": INSTANCE,
              "display_name": "web-1", "archive_policy_name": "medium"}
    values.update(extra)
    return _write_config(tmp_path, **values)


def test_first_push_creates_the_instance_resource_with_its_metrics(tmp_path, cloud, capsys):
    conf = _config(tmp_path, cloud, server_group="grp-1")
    assert cps.main(["--config", conf, "--heartbeat", "--metric", "Load", "--value", "3", "-v"]) == 0
    res = cloud.resources[INSTANCE]
    assert res["type"] == "instance" and res["display_name"] == "web-1" and res["server_group"] == "grp-1"
    assert res["created_metrics"] == {"Heartbeat": {"archive_policy_name": "medium", "unit": "Count"},
                                      "Load": {"archive_policy_name": "medium"}}
    (batch,) = cloud.measures
    assert set(batch[INSTANCE]) == {"Heartbeat", "Load"}
    assert batch[INSTANCE]["Load"][0]["value"] == 3.0
    assert cloud.auth_bodies[0]["auth"]["identity"]["methods"] == ["application_credential"]
    out = capsys.readouterr()
    assert "ac-secret-value" not in out.out + out.err
    assert sum(1 for m, p in cloud.requests if p.endswith("/auth/tokens")) == 1


def test_later_push_adds_only_missing_metrics(tmp_path, cloud):
    conf = _config(tmp_path, cloud)
    assert cps.main(["--config", conf, "--heartbeat"]) == 0
    assert cps.main(["--config", conf, "--heartbeat", "--service-failure"]) == 0
    assert set(cloud.resources[INSTANCE]["metrics"]) == {"Heartbeat", "ServiceFailure"}
    assert ("POST", f"/metric/v1/resource/instance/{INSTANCE}/metric") in cloud.requests
    assert len(cloud.measures) == 2


def test_watch_routes_to_the_server_group_the_alarm_selects(tmp_path, cloud):
    alarm_id = "0d7c1f9a-0000-4000-8000-000000000001"
    scoped = {"and": [{"or": [{"=": {"created_by_project_id": "p"}}, {"=": {"project_id": "p"}}]},
                      {"=": {"server_group": "mystack"}}]}
    cloud.alarms[alarm_id] = {"alarm_id": alarm_id, "name": "mystack-HttpFailureAlarm",
                              "type": "gnocchi_aggregation_by_resources_threshold",
                              "gnocchi_aggregation_by_resources_threshold_rule": {
                                  "metric": "ServiceFailure", "resource_type": "instance",
                                  "query": json.dumps(scoped)}}
    cloud.resources[INSTANCE] = {"id": INSTANCE, "type": "instance", "server_group": "old", "metrics": {}}
    conf = _config(tmp_path, cloud)
    assert cps.main(["--config", conf, "--service-failure", "--watch", alarm_id]) == 0
    assert cloud.resources[INSTANCE]["server_group"] == "mystack"
    assert cloud.measures[0][INSTANCE]["ServiceFailure"][0]["value"] == 1.0
    # by name too
    assert cps.main(["--config", conf, "--service-failure", "--watch", "mystack-HttpFailureAlarm"]) == 0
    assert len(cloud.measures) == 2


def test_watch_on_a_resources_alarm_pushes_to_that_resource(tmp_path, cloud):
    alarm_id = "0d7c1f9a-0000-4000-8000-000000000002"
    other = "11111111-2222-4333-8444-555555555555"
    cloud.alarms[alarm_id] = {"alarm_id": alarm_id, "name": "a", "type": "gnocchi_resources_threshold",
                              "gnocchi_resources_threshold_rule": {"metric": "Heartbeat", "resource_type": "generic",
                                                                   "resource_id": other}}
    cloud.resources[other] = {"id": other, "type": "generic", "metrics": {"Heartbeat": "m"}}
    assert cps.main(["--config", _config(tmp_path, cloud), "--heartbeat", "--watch", alarm_id]) == 0
    assert list(cloud.measures[0]) == [other]
    assert INSTANCE not in cloud.resources


def test_rejected_credential_is_one_line_error(tmp_path, cloud, capsys):
    cloud.reject_auth = True
    assert cps.main(["--config", _config(tmp_path, cloud), "--heartbeat"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("cfn-push-stats: Keystone refused") and "\n" not in err
    assert "ac-secret-value" not in err
    assert cloud.measures == []


def test_missing_config_with_legacy_credential_file_explains(tmp_path, capsys):
    rc = cps.main(["--config", str(tmp_path / "none.conf"), "--credential-file", "/etc/cfn/cfn-credentials",
                   "--heartbeat"])
    assert rc == 1
    assert "cannot talk to Gnocchi" in capsys.readouterr().err
