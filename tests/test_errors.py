"""One exception tree: every exception class defined under automation/ derives from AutomationError."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import automation
from automation.errors import AutomationError, BackendError

#: Private control-flow signals that never leave their module (not errors a caller sees), with why.
NOT_ERRORS = {
    "automation.web.app._PersonalOnly": "a personal-only form opened by its public link: caught in the same module",
}


def exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class defined at the top level of a module of the automation package, by qualified name."""
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(automation.__path__, prefix="automation."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = obj
    return found


def test_every_exception_derives_from_automation_error():
    classes = exception_classes()
    assert len(classes) >= 15, sorted(classes)  # the walk reached the whole package
    outside = sorted(name for name, cls in classes.items()
                     if not issubclass(cls, AutomationError) and name not in NOT_ERRORS)
    assert outside == [], f"exception classes outside the AutomationError tree: {outside}"


def test_the_exemptions_still_exist():
    classes = exception_classes()
    assert sorted(set(NOT_ERRORS) - set(classes)) == []


def test_backend_failures_are_backend_errors():
    from automation.workspace.google.api import GoogleAuthError
    from automation.workspace.google.sheets import SheetsRetryExhausted
    from automation.workspace.ports import LookupUnavailable

    for cls in (GoogleAuthError, SheetsRetryExhausted, LookupUnavailable):
        assert issubclass(cls, BackendError), cls
