"""automation.forms.importer."""
