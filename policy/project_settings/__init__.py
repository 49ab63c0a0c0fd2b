"""The policy settings as project settings (``projects.settings_registry``), registered from
``PolicyConfig.ready``: the dashboard's Policy page, ``manage.py configure_project`` and
``projects.services.project_settings_update`` read, validate and write them like every other
project setting (one validator, all-or-nothing, the change in the Event Log by key).

Each registry key (``policy_…``) maps to one or more fields of ``policy.settings.PolicySettings``;
the values live in ``policy.models.ProjectPolicy`` (sparse), never on the Project row.

One module per concept: ``keys`` (what a key is and the kinds of value), ``catalogue`` (every
policy key), ``aml`` (the watch-list settings, outside ``PolicySettings``) and ``registration``.
Every name is importable from here.
"""

from policy.project_settings.catalogue import KEYS, POLICY_KEYS
from policy.project_settings.keys import ON_OFF, Fields, PolicyKey
from policy.project_settings.registration import register_policy_settings

__all__ = ["KEYS", "ON_OFF", "POLICY_KEYS", "Fields", "PolicyKey", "register_policy_settings"]
