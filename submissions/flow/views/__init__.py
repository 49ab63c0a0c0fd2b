"""Liveform views, one module per part of the flow."""
