"""OS::Heat::ScalingPolicy: an adjustment of a scaling group, triggered through a URL.

Local to the stack (no cloud object). ``alarm_url`` and ``signal_url`` are the same receiver
URL, ``<signal_receiver_url>/<stack>/<policy>`` (both parts URL-quoted): the base is the
``signal_receiver_url`` option of ``os_heatlike_stack`` (an Event-Driven Ansible webhook, for
example), and nothing secret is ever part of the URL. When no base is configured, a stack
that reads one of these URLs fails before any write, naming the resource that reads it.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping
from urllib.parse import quote, urlsplit

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import PropertyError
from ansible_collections.heatlike.cloud.plugins.module_utils.resources.base import HandlerError, LocalHandler
from ansible_collections.heatlike.cloud.plugins.module_utils.common.values import template_form

#: option and environment variable naming the receiver (used in messages)
OPTION = "signal_receiver_url"
ENV_VAR = "HEATLIKE_SIGNAL_RECEIVER_URL"
POLICY_TYPES = ("OS::Heat::ScalingPolicy", "AWS::AutoScaling::ScalingPolicy")
#: attributes that are receiver URLs, per policy type
URL_ATTRIBUTES = {"OS::Heat::ScalingPolicy": ("alarm_url", "signal_url"),
                  "AWS::AutoScaling::ScalingPolicy": ("AlarmUrl",)}
#: policy types whose reference (Ref / get_resource) is the URL too (Heat's AWS policy)
REF_IS_URL = ("AWS::AutoScaling::ScalingPolicy",)


def check_base_url(base: str) -> str:
    """The receiver base URL without a trailing slash; a clear error when it is not usable."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PropertyError(f"{OPTION} must be an http(s) URL with a host, not '{base}'")
    if parts.username or parts.password or "@" in parts.netloc:
        raise PropertyError(f"{OPTION} must not carry credentials (they would end up in alarm actions)")
    if parts.query or parts.fragment:
        raise PropertyError(f"{OPTION} must not have a query string or fragment (it would end up in alarm actions)")
    return base.rstrip("/")


def receiver_url(base: str | None, stack_name: str, logical: str) -> str:
    """The URL a policy's alarm or signal goes to."""
    if not base:
        raise HandlerError(f"no signal receiver is configured: set the {OPTION} option (or {ENV_VAR}) "
                           f"to give {logical} an alarm/signal URL")
    return f"{check_base_url(base)}/{quote(stack_name, safe='')}/{quote(logical, safe='')}"


def _uses(node: Any, policies: Mapping[str, str]) -> Iterator[str]:
    """``get_attr`` expressions (and AWS ``Ref``s) in ``node`` that read a policy's URL."""
    stack = [node]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
            continue
        if not isinstance(value, dict):
            continue
        if len(value) == 1:
            (key, arg), = value.items()
            if key in ("get_attr", "Fn::GetAtt") and isinstance(arg, list) and len(arg) >= 2 \
                    and arg[0] in policies and arg[1] in URL_ATTRIBUTES[policies[arg[0]]]:
                yield f"{key} [{arg[0]}, {arg[1]}]"
            if key in ("Ref", "get_resource") and isinstance(arg, str) and policies.get(arg) in REF_IS_URL:
                yield f"{key} {arg}"
        stack.extend(value.values())


def check_receiver(resolved: Any, base: str | None) -> None:
    """Fail before any write when the stack reads a policy URL and no receiver is configured."""
    policies = {n: r.type for n, r in resolved.resources.items() if r.type in POLICY_TYPES}
    if not policies:
        return
    if base:
        check_base_url(base)
        return
    file = getattr(resolved, "template_file", None)
    places = [(f"resources.{n}", r.properties) for n, r in resolved.resources.items()]
    places += [(f"outputs.{n}", v) for n, v in (getattr(resolved, "outputs", None) or {}).items()]
    for path, value in places:
        for use in _uses(template_form(value), policies):
            raise PropertyError(f"{use} needs a signal receiver: set the {OPTION} option of os_heatlike_stack "
                                f"(or the {ENV_VAR} environment variable) to the base URL of the receiver "
                                "of scaling signals", file=file, path=path)


class ScalingPolicyHandler(LocalHandler):
    """A scaling policy (HOT form); its properties stay in the record for the signal handler."""

    type_name = "OS::Heat::ScalingPolicy"
    attributes = ("alarm_url", "signal_url", "show")
    #: property names and the percent value (the CFN form renames them)
    adjustment_type_prop = "adjustment_type"
    min_step_prop = "min_adjustment_step"
    percent = "percent_change_in_capacity"

    @classmethod
    def preflight(cls, resolved: Any, opts: Any) -> None:
        """Called by converge before any write: a used URL needs a configured receiver."""
        check_receiver(resolved, getattr(opts, "signal_receiver_url", None))

    def desired(self, logical: str, props: Mapping[str, Any]) -> dict:
        out = super().desired(logical, props)
        if out.get(self.min_step_prop) is not None and out.get(self.adjustment_type_prop) != self.percent:
            raise HandlerError(f"{self.min_step_prop} property should only be specified for "
                               f"{self.adjustment_type_prop} with value {self.percent}.")
        return out

    def create(self, logical: str, props: Mapping[str, Any], on_id: Any) -> Any:
        on_id(self.local_id(logical))
        return {"props": dict(props), "logical": logical}

    def update(self, obj: Any, logical: str, props: Mapping[str, Any], changed: set[str]) -> Any:
        return {"props": dict(props), "logical": logical}

    def find(self, logical: str, props: Mapping[str, Any]) -> Any:
        found = super().find(logical, props)
        if found is not None:
            found.obj["logical"] = logical
        return found

    def _logical(self, obj: Any) -> str:
        logical = (obj or {}).get("logical")
        if not logical:
            raise HandlerError(f"{self.type_name}: the policy's logical name is unknown")
        return logical

    def url(self, obj: Any) -> str:
        """The receiver URL of this policy (a clear error when no receiver is configured)."""
        return receiver_url(self.ctx.signal_receiver_url, self.ctx.stack_name, self._logical(obj))

    def attribute(self, obj: Any, name: str) -> Any:
        if name in URL_ATTRIBUTES[self.type_name]:
            return self.url(obj)
        return super().attribute(obj, name)
