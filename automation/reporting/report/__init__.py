"""automation.reporting.report."""
