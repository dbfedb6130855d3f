"""automation.plan.load."""
