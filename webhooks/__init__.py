"""Outbound notifications to customers: endpoints, events, deliveries (see DESIGN.md)."""
