"""What "pass" means for a project: score, thresholds, rules, reject codes (see DESIGN.md)."""
