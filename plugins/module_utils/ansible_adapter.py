# Copyright: heatlike.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bridge between Ansible modules and the heatlike engine.

This is the only file under ``plugins/module_utils/`` that imports ``ansible``. Every module:

* builds its argument spec with :func:`openstack_argument_spec` (the openstack.cloud-compatible
  connection options, documented once in the ``heatlike.cloud.openstack`` doc fragment);
* wraps itself in :class:`HeatlikeModule`, which builds the ``AnsibleModule``, opens the
  openstacksdk connection lazily (``clouds.yaml``, ``OS_CLOUD`` and ``OS_CLIENT_CONFIG_FILE`` are
  honoured by openstacksdk), registers late-discovered secrets with :meth:`HeatlikeModule.add_secret`
  and turns every engine or SDK error into a one-line ``fail_json`` message.

Typical module body::

    class TemplateInfo(HeatlikeModule):
        def execute(self) -> dict:
            stack = load_stack(self.params["template"], ...)
            self.add_secret(stack.hidden_values)
            return {"changed": False, **stack.to_info()}

    def main() -> None:
        TemplateInfo(argument_spec=dict(template=dict(type="path", required=True))).run()
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.heatlike.cloud.plugins.module_utils.common.errors import HeatlikeError
from ansible_collections.heatlike.cloud.plugins.module_utils.common.retries import status_of
from ansible_collections.heatlike.cloud.plugins.module_utils.services.trust import authenticate, configured_trust_id

try:
    import openstack
    from openstack import exceptions as sdk_exceptions

    HAS_OPENSTACKSDK = True
    OPENSTACKSDK_IMPORT_ERROR: str | None = None
except ImportError:  # pragma: no cover - exercised by ansible-test's import sanity test
    openstack = None
    sdk_exceptions = None
    HAS_OPENSTACKSDK = False
    OPENSTACKSDK_IMPORT_ERROR = traceback.format_exc()

try:
    from keystoneauth1 import exceptions as ksa_exceptions

    HAS_KEYSTONEAUTH = True
except ImportError:  # pragma: no cover - keystoneauth1 comes with openstacksdk
    ksa_exceptions = None
    HAS_KEYSTONEAUTH = False


#: Names of the connection options (identical to openstack.cloud's). openstack.cloud's ``wait``
#: and ``timeout`` are not among them: only a module that waits for something has them, with
#: its own documentation (``os_heatlike_stack``); the others would have to ignore them.
CONNECTION_OPTIONS = (
    "cloud",
    "auth",
    "auth_type",
    "region_name",
    "interface",
    "validate_certs",
    "ca_cert",
    "client_cert",
    "client_key",
    "api_timeout",
    "sdk_log_path",
    "sdk_log_level",
)

#: Keys of a ``cloud`` dict or ``auth`` dict whose values are identifiers, not secrets. Their
#: values are taken off ``no_log_values`` so that e.g. a project named ``demo`` or the domain
#: ``Default`` is not masked in every result. Any other key (password, token, secret, ...)
#: stays masked: an allowlist, so an unknown auth plugin's fields stay secret.
NON_SECRET_KEYS = frozenset(
    {
        "auth_url",
        "auth_type",
        "username",
        "user_id",
        "user_domain_name",
        "user_domain_id",
        "project_name",
        "project_id",
        "project_domain_name",
        "project_domain_id",
        "domain_name",
        "domain_id",
        "default_domain_name",
        "default_domain_id",
        "tenant_name",
        "tenant_id",
        "system_scope",
        "trust_id",
        "application_credential_id",
        "application_credential_name",
        "identity_provider",
        "protocol",
        "region_name",
        "interface",
        "identity_api_version",
        "identity_interface",
        "cacert",
        "verify",
        "name",
        "profile",
    }
)


def openstack_argument_spec(**extra: Any) -> dict[str, dict[str, Any]]:
    """Return the connection options' argument spec, plus the module's own options in ``extra``.

    Names, types, aliases and defaults match openstack.cloud (and the ``heatlike.cloud.openstack``
    doc fragment). ``cloud`` and ``auth`` are ``no_log``: Ansible logs module arguments before
    module code runs, and both can carry passwords.
    """
    spec: dict[str, dict[str, Any]] = {
        "cloud": {"type": "raw", "no_log": True},
        "auth": {"type": "dict", "no_log": True},
        "auth_type": {"type": "str"},
        "region_name": {"type": "str"},
        "api_timeout": {"type": "int"},
        "validate_certs": {"type": "bool", "aliases": ["verify"]},
        "ca_cert": {"type": "str", "aliases": ["cacert"]},
        "client_cert": {"type": "str", "aliases": ["cert"]},
        # a path to the key file, not the key itself
        "client_key": {"type": "str", "aliases": ["key"], "no_log": False},
        "interface": {
            "type": "str",
            "default": "public",
            "choices": ["admin", "internal", "public"],
            "aliases": ["endpoint_type"],
        },
        "sdk_log_path": {"type": "str"},
        "sdk_log_level": {"type": "str", "default": "INFO", "choices": ["INFO", "DEBUG"]},
    }
    overlap = set(spec) & set(extra)
    if overlap:
        raise ValueError(f"module options redefine connection options: {', '.join(sorted(overlap))}")
    spec.update(extra)
    return spec


def one_line(text: object) -> str:
    """Collapse any text (e.g. a multi-line API error) to one line of single spaces."""
    return " ".join(str(text).split())


def sdk_error_message(err: BaseException) -> str:
    """Return a clean one-line message for an openstacksdk / keystoneauth exception."""
    name = type(err).__name__
    detail = one_line(err) or name
    if sdk_exceptions is not None and isinstance(err, sdk_exceptions.HttpException):
        status = status_of(err)
        request_id = getattr(err, "request_id", None)
        prefix = f"OpenStack API error ({status})" if status else "OpenStack API error"
        suffix = f" [request {request_id}]" if request_id else ""
        return f"{prefix}: {detail}{suffix}"
    if sdk_exceptions is not None and isinstance(err, sdk_exceptions.ConfigException):
        return f"OpenStack configuration error: {detail}"
    return f"OpenStack error: {name}: {detail}"


def _is_sdk_error(err: BaseException) -> bool:
    if sdk_exceptions is not None and isinstance(err, sdk_exceptions.SDKException):
        return True
    if ksa_exceptions is not None and isinstance(err, ksa_exceptions.ClientException):
        return True
    return False


def _leaves(value: Any, key: str | None = None) -> Iterable[tuple[str | None, Any]]:
    """Yield ``(key, leaf)`` pairs of a nested dict/list structure."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from _leaves(v, str(k))
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            yield from _leaves(v, key)
    else:
        yield key, value


def secret_strings(values: Any) -> set[str]:
    """Return the strings to mask for ``values`` (a string, number or nested structure).

    Booleans, ``None`` and empty strings are never secrets (masking them would mangle output);
    numbers are masked in their string form.
    """
    found: set[str] = set()
    for _key, leaf in _leaves(values):
        if leaf is None or isinstance(leaf, bool):
            continue
        if isinstance(leaf, (int, float)):
            leaf = str(leaf)
        if isinstance(leaf, bytes):
            leaf = leaf.decode("utf-8", "replace")
        if isinstance(leaf, str) and leaf:
            found.add(leaf)
    return found


def connection_identifiers(params: Mapping[str, Any]) -> set[str]:
    """Return values of ``cloud``/``auth`` that identify rather than authenticate.

    A string ``cloud`` is only the name of a ``clouds.yaml`` entry; inside a ``cloud`` or
    ``auth`` dict, values under :data:`NON_SECRET_KEYS` are identifiers. A value that also
    appears under any other key is kept secret.
    """
    identifiers: set[str] = set()
    secrets: set[str] = set()
    cloud = params.get("cloud")
    if isinstance(cloud, str) and cloud:
        identifiers.add(cloud)
    for source in (cloud if isinstance(cloud, Mapping) else None, params.get("auth")):
        if not isinstance(source, Mapping):
            continue
        for key, leaf in _leaves(source):
            if not isinstance(leaf, str) or not leaf:
                continue
            (identifiers if key in NON_SECRET_KEYS else secrets).add(leaf)
    return identifiers - secrets


def connect(params: Mapping[str, Any]) -> Any:
    """Open an openstacksdk ``Connection`` from the connection options in ``params``.

    ``cloud`` as a string names a ``clouds.yaml`` entry; as a dict it is a whole cloud entry.
    Without ``cloud``/``auth`` openstacksdk falls back to ``OS_CLOUD`` and ``OS_*`` variables;
    ``OS_CLIENT_CONFIG_FILE`` adds a ``clouds.yaml`` to search. Explicit options win over the
    cloud entry. Raises openstacksdk exceptions unchanged (see :meth:`HeatlikeModule.run`).
    """
    if not HAS_OPENSTACKSDK:
        raise ImportError("openstacksdk is required")
    if params.get("sdk_log_path"):
        openstack.enable_logging(debug=params.get("sdk_log_level") == "DEBUG", path=params["sdk_log_path"])

    kwargs: dict[str, Any] = {}
    cloud = params.get("cloud")
    if isinstance(cloud, Mapping):
        kwargs.update(cloud)
    elif cloud is not None:
        kwargs["cloud"] = str(cloud)
    explicit = {
        "auth": params.get("auth"),
        "auth_type": params.get("auth_type"),
        "region_name": params.get("region_name"),
        "interface": params.get("interface"),
        "verify": params.get("validate_certs"),
        "cacert": params.get("ca_cert"),
        "cert": params.get("client_cert"),
        "key": params.get("client_key"),
        "api_timeout": params.get("api_timeout"),
    }
    for name, value in explicit.items():
        if value is None:
            continue
        if name == "auth" and isinstance(kwargs.get("auth"), Mapping):
            value = {**kwargs["auth"], **value}
        kwargs[name] = value
    return openstack.connect(**kwargs)


class HeatlikeModule:
    """Base of every heatlike.cloud module: argument spec, connection, secrets, error mapping.

    Subclasses implement :meth:`execute` returning the result dict; ``main()`` calls
    :meth:`run`. Alternatively pass a callable to :meth:`run`.
    """

    #: Set to False in modules that never talk to a cloud.
    needs_cloud: bool = True

    def __init__(
        self,
        argument_spec: Mapping[str, Any] | None = None,
        *,
        openstack_options: bool = True,
        supports_check_mode: bool = True,
        **module_kwargs: Any,
    ) -> None:
        """Build the ``AnsibleModule``; ``module_kwargs`` go to it unchanged."""
        own = dict(argument_spec or {})
        spec = openstack_argument_spec(**own) if openstack_options else own
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode, **module_kwargs)
        self.params: dict[str, Any] = self.module.params
        self._connection: Any = None
        if openstack_options:
            # cloud names and auth identifiers are not secrets: don't mask them in every string
            self.module.no_log_values.difference_update(connection_identifiers(self.params))

    @property
    def check_mode(self) -> bool:
        """True when Ansible runs the task in check mode."""
        return bool(self.module.check_mode)

    @property
    def diff_mode(self) -> bool:
        """True when Ansible runs the task with ``--diff``."""
        return bool(self.module._diff)

    def connection(self) -> Any:
        """Return the openstacksdk ``Connection`` (opened on first use, then reused).

        A trust-scoped connection (``trust_id`` in ``auth`` or the ``clouds.yaml`` entry)
        authenticates at once, so a deleted, expired or used-up trust fails every module with
        the same one-line message (:func:`keystone_trust.authenticate`) before any work starts.
        """
        if self._connection is None:
            if not HAS_OPENSTACKSDK:
                self.module.fail_json(msg=missing_required_lib("openstacksdk"), exception=OPENSTACKSDK_IMPORT_ERROR)
            conn = connect(self.params)
            if configured_trust_id(conn):
                try:
                    authenticate(conn)
                except BaseException:
                    conn.close()
                    raise
            self._connection = conn
        return self._connection

    def authenticate(self) -> Any:
        """Authenticate :meth:`connection` now and return keystoneauth's access info.

        Done before any work, so an auth that no longer works (a deleted or expired trust, a
        wrong password) fails with one clear line (:func:`authenticate`).
        """
        return authenticate(self.connection())

    def with_diff(self, result: dict[str, Any]) -> dict[str, Any]:
        """Return ``result`` without its ``diff`` unless Ansible runs with ``--diff``."""
        diff = result.pop("diff")
        if self.diff_mode:
            result["diff"] = diff
        return result

    def add_secret(self, values: Any) -> None:
        """Mask ``values`` (a string, number or nested structure of them) in all module output."""
        self.module.no_log_values.update(secret_strings(values))

    def warn(self, message: str) -> None:
        """Emit an Ansible warning (one line)."""
        self.module.warn(one_line(message))

    def execute(self) -> dict[str, Any]:
        """Do the module's work and return its result; subclasses override this."""
        raise NotImplementedError(f"{type(self).__name__} must implement execute()")

    def fail(self, msg: str, **kwargs: Any) -> None:
        """Fail the task with a one-line message."""
        self.module.fail_json(msg=one_line(msg), **kwargs)

    def run(self, func: Callable[[HeatlikeModule], Mapping[str, Any]] | None = None) -> None:
        """Run ``func(self)`` (default :meth:`execute`) and exit with its result.

        Engine errors become ``fail_json(msg=str(err))``; openstacksdk/keystoneauth errors a
        clean one-line message; anything else an "unexpected error" line with the traceback
        only in the ``exception`` field (shown by Ansible at ``-vvv``). Secrets registered with
        :meth:`add_secret` are masked in all of these.
        """
        try:
            result = dict(func(self) if func is not None else self.execute())
        except HeatlikeError as err:
            self.module.fail_json(msg=one_line(err), error_type=type(err).__name__)
        except Exception as err:  # noqa: BLE001 - one place maps every failure to fail_json
            if _is_sdk_error(err):
                self.module.fail_json(msg=sdk_error_message(err), error_type=type(err).__name__)
            self.module.fail_json(
                msg=f"unexpected error (please report it): {type(err).__name__}: {one_line(err)}",
                exception=traceback.format_exc(),
            )
        else:
            result.setdefault("changed", False)
            self.module.exit_json(**result)
        finally:
            self.close()

    def close(self) -> None:
        """Close the connection if one was opened."""
        conn, self._connection = self._connection, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - closing must never mask the real result
                pass
