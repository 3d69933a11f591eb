"""Intrinsic functions of HOT and CFN templates: one table per version, and the :class:`Parser`.

A function node is created by :class:`Parser` when a mapping has exactly one key and that key
is a function of the template's version; any other mapping is plain data (as in Heat).  The
function classes live by family in ``fn_get`` (``get_*``), ``fn_string``, ``fn_collection``
(lists and maps), ``fn_condition`` and ``fn_cfn`` (CFN-only functions), on the base class of
``fn_base``; this module is where the rest of the engine takes them from.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.fn_base import (
    Function,
    Invalid,
    Removed,
    dependencies,
    render_path,
    resolve,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.fn_cfn import (
    Base64,
    FindInMap,
    GetAZs,
    MemberListToMap,
    ParamRef,
    Ref,
    Select,
    Split,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.fn_collection import (
    Contains,
    Filter,
    ListConcat,
    ListConcatUnique,
    MapMerge,
    MapReplace,
    Repeat,
    RepeatWithMap,
    RepeatWithNestedLoop,
    Yaql,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.fn_condition import (
    And,
    CfnNot,
    Equals,
    If,
    Not,
    Or,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.fn_get import (
    CfnGetAtt,
    CfnResourceFacade,
    GetAtt,
    GetAttAll,
    GetFile,
    GetParam,
    GetResource,
    ResourceFacade,
)
from ansible_collections.heatlike.cloud.plugins.module_utils.resolve.fn_string import (
    CfnReplace,
    Digest,
    Join,
    JoinMultiple,
    MakeURL,
    Replace,
    ReplaceJson,
    ReplaceJsonStrict,
    ReplaceJsonVeryStrict,
    StrSplit,
)

__all__ = [
    "And",
    "Base64",
    "CONDITION_FUNCTIONS",
    "CfnGetAtt",
    "CfnNot",
    "CfnReplace",
    "CfnResourceFacade",
    "Contains",
    "Digest",
    "Equals",
    "FUNCTIONS",
    "Filter",
    "FindInMap",
    "Function",
    "FunctionTable",
    "GetAZs",
    "GetAtt",
    "GetAttAll",
    "GetFile",
    "GetParam",
    "GetResource",
    "If",
    "Invalid",
    "Join",
    "JoinMultiple",
    "ListConcat",
    "ListConcatUnique",
    "MakeURL",
    "MapMerge",
    "MapReplace",
    "MemberListToMap",
    "Not",
    "Or",
    "ParamRef",
    "Parser",
    "Ref",
    "Removed",
    "Repeat",
    "RepeatWithMap",
    "RepeatWithNestedLoop",
    "Replace",
    "ReplaceJson",
    "ReplaceJsonStrict",
    "ReplaceJsonVeryStrict",
    "ResourceFacade",
    "Select",
    "Split",
    "StrSplit",
    "Yaql",
    "condition_table",
    "dependencies",
    "render_path",
    "resolve",
]

# --------------------------------------------------------------------------- version tables

FunctionTable = dict[str, type]

_HOT_20130523: FunctionTable = {
    "Fn::GetAZs": GetAZs, "get_param": GetParam, "get_resource": GetResource, "Ref": Ref,
    "get_attr": GetAtt, "Fn::Select": Select, "Fn::Join": Join, "list_join": Join,
    "Fn::Split": Split, "str_replace": Replace, "Fn::Replace": CfnReplace,
    "Fn::Base64": Base64, "Fn::MemberListToMap": MemberListToMap,
    "resource_facade": ResourceFacade, "Fn::ResourceFacade": CfnResourceFacade,
    "get_file": GetFile,
}
_REMOVED_20141016 = ("Fn::GetAZs", "Fn::Join", "Fn::Split", "Fn::Replace", "Fn::Base64",
                     "Fn::MemberListToMap", "Fn::ResourceFacade", "Ref")
_HOT_20141016 = {**_HOT_20130523, **{k: Removed for k in _REMOVED_20141016}}
_HOT_20150430 = {**_HOT_20141016, "digest": Digest, "repeat": Repeat}
_HOT_20151015 = {**_HOT_20150430, "get_attr": GetAttAll, "list_join": JoinMultiple,
                 "str_replace": ReplaceJson, "str_split": StrSplit, "Fn::Select": Removed}
_HOT_20160408 = {**_HOT_20151015, "map_merge": MapMerge}
_HOT_20161014 = {**_HOT_20160408, "repeat": RepeatWithMap, "yaql": Yaql,
                 "map_replace": MapReplace, "if": If}
_HOT_20170224 = {**_HOT_20161014, "filter": Filter, "str_replace_strict": ReplaceJsonStrict}
_HOT_20170901 = {**_HOT_20170224, "repeat": RepeatWithNestedLoop, "make_url": MakeURL,
                 "list_concat": ListConcat, "str_replace_vstrict": ReplaceJsonVeryStrict,
                 "list_concat_unique": ListConcatUnique, "contains": Contains}
_HOT_20180302 = dict(_HOT_20170901)
_HOT_20180831 = dict(_HOT_20180302)
_HOT_20210416 = dict(_HOT_20180831)

_COND_20161014: FunctionTable = {"get_param": GetParam, "equals": Equals, "not": Not,
                                 "and": And, "or": Or}
_COND_20170901 = {**_COND_20161014, "yaql": Yaql, "contains": Contains}
_COND_20210416 = {**_COND_20170901, "if": If}

_CFN_BASE: FunctionTable = {
    "Fn::FindInMap": FindInMap, "Fn::GetAZs": GetAZs, "Ref": Ref, "Fn::GetAtt": CfnGetAtt,
    "Fn::Select": Select, "Fn::Join": Join, "Fn::Split": Split, "Fn::Replace": CfnReplace,
    "Fn::Base64": Base64, "Fn::MemberListToMap": MemberListToMap,
    "Fn::ResourceFacade": CfnResourceFacade,
}
_CFN_2010 = {**_CFN_BASE, "Fn::If": If}
_CFN_COND_2010: FunctionTable = {"Fn::Equals": Equals, "Ref": ParamRef, "Fn::FindInMap": FindInMap,
                                 "Fn::Not": CfnNot, "Fn::And": And, "Fn::Or": Or}

#: functions per version key ("heat_template_version: 2013-05-23")
FUNCTIONS: dict[str, FunctionTable] = {
    "2013-05-23": _HOT_20130523, "2014-10-16": _HOT_20141016, "2015-04-30": _HOT_20150430,
    "2015-10-15": _HOT_20151015, "2016-04-08": _HOT_20160408, "2016-10-14": _HOT_20161014,
    "2017-02-24": _HOT_20170224, "2017-09-01": _HOT_20170901, "2018-03-02": _HOT_20180302,
    "2018-08-31": _HOT_20180831, "2021-04-16": _HOT_20210416,
    "AWSTemplateFormatVersion": _CFN_2010, "HeatTemplateFormatVersion": _CFN_BASE,
}
#: condition functions per version (None: the version has no conditions)
CONDITION_FUNCTIONS: dict[str, FunctionTable | None] = {
    "2016-10-14": _COND_20161014, "2017-02-24": _COND_20161014,
    "2017-09-01": _COND_20170901, "2018-03-02": _COND_20170901,
    "2018-08-31": _COND_20170901, "2021-04-16": _COND_20210416,
    "AWSTemplateFormatVersion": _CFN_COND_2010,
}


def condition_table(functions: FunctionTable, conds: FunctionTable) -> FunctionTable:
    """Heat's parser table for the conditions section: every other function is Invalid."""
    table = {n: (f if f is Removed else Invalid) for n, f in functions.items()}
    table.update(conds)
    return table


class Parser:
    """Turns a template snippet into a tree of data and :class:`Function` objects."""

    def __init__(self, table: FunctionTable, ctx: Any = None,
                 cond_table: FunctionTable | None = None) -> None:
        self.table = table
        self.ctx = ctx
        self.cond_table = cond_table or {}

    def parse(self, node: Any, path: Any) -> Any:
        """Parse ``node``; ``path`` is its location (string or lazy ``(parent, key)`` tuple)."""
        if isinstance(node, dict):
            if len(node) == 1:
                (key, value), = node.items()
                cls = self.table.get(key) if isinstance(key, str) else None
                if cls is not None:
                    fpath = (path, key)
                    if cls is If and self.ctx is not None:
                        fn = If(key, value, fpath)
                        cond = value[0]
                        if isinstance(cond, dict):
                            cond = Parser(self.cond_table, self.ctx).parse(cond, fpath)
                        fn.args = [cond] + [self.parse(v, fpath) for v in value[1:]]
                        chosen = fn.choose(self.ctx)
                        return chosen
                    args = self.parse(value, fpath)
                    return cls(key, args, fpath)
            parse = self.parse
            return {k: parse(v, (path, k)) for k, v in node.items()}
        if isinstance(node, list):
            parse = self.parse
            return [parse(v, (path, i)) for i, v in enumerate(node)]
        return node
