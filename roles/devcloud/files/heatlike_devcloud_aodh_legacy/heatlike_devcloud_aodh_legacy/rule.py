"""The Ceilometer-API ``threshold`` alarm rule, which Aodh dropped in its Stein release.

Clouds older than that still hold such alarms, and os_heatlike_alarm_migrate's live mode
replaces them (the type changes, so the alarm is created anew). This rule lets the devcloud's
Aodh store, list, read, update and delete them through its real API, so the migration's
replace path runs against Aodh itself. Nothing evaluates them: aodh-evaluator skips a type
it has no evaluator for, as an upgraded cloud would.
"""

import wsme
from wsme import types as wtypes

from aodh.api.controllers.v2 import base


class LegacyThresholdRule(base.AlarmRule):
    """``threshold_rule``: a Ceilometer meter, a statistic over a period, against a threshold."""

    meter_name = wsme.wsattr(wtypes.text, mandatory=True)
    #: ``[{"field": ..., "op": ..., "value": ...}]`` (strings, as the old API stored them)
    query = wsme.wsattr([wtypes.DictType(wtypes.text, wtypes.text)], default=[])
    period = wsme.wsattr(wtypes.IntegerType(minimum=1), default=60)
    comparison_operator = base.AdvEnum("comparison_operator", str, "lt", "le", "eq", "ne", "ge", "gt",
                                       default="eq")
    threshold = wsme.wsattr(float, mandatory=True)
    statistic = base.AdvEnum("statistic", str, "max", "min", "avg", "sum", "count", default="avg")
    evaluation_periods = wsme.wsattr(wtypes.IntegerType(minimum=1), default=1)
    exclude_outliers = wsme.wsattr(bool, default=False)

    def as_dict(self):
        """The stored form."""
        return self.as_dict_from_keys(["meter_name", "query", "period", "comparison_operator", "threshold",
                                       "statistic", "evaluation_periods", "exclude_outliers"])
