"""automation.demo.season."""
