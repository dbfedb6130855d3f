"""automation.reporting."""
