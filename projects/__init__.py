"""Tenancy and access: users, projects, API keys, memberships, credits and the Event Log."""
