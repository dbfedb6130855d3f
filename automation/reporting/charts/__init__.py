"""automation.reporting.charts."""
