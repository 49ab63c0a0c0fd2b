"""The dashboard's Settings pages, one module per area of the original's menus (spec §7, §8).

Every page renders registry settings (``projects.settings_registry``) through
:mod:`projects.views.settings.common` and saves them with ``project_settings_update``, so a
value refused here is refused by ``manage.py configure_project`` too.
"""
