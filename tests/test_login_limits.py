"""Sign-in throttling of the admin console (automation/web/admin/auth.py): per e-mail tight, per client address
loose, so that colleagues behind one office router do not lock each other out (a QA pass found they did)."""

from __future__ import annotations

from automation.web.admin.auth import LoginLimiter


def test_one_colleagues_typos_do_not_lock_out_the_others_at_the_same_address():
    lim = LoginLimiter("5 per minute", "20 per minute")
    for _ in range(5):
        assert lim.allowed("10.0.0.1", "aida@amuca.kg")
        lim.failed("10.0.0.1", "aida@amuca.kg")
    assert not lim.allowed("10.0.0.1", "aida@amuca.kg")  # her account waits
    assert lim.allowed("10.0.0.1", "nurgul@amuca.kg")  # a colleague at the same address signs in


def test_guessing_across_many_accounts_from_one_address_is_stopped():
    lim = LoginLimiter("5 per minute", "20 per minute")
    for i in range(20):
        lim.failed("203.0.113.9", f"user{i}@amuca.kg")
    assert not lim.allowed("203.0.113.9", "someone.else@amuca.kg")
    assert lim.allowed("198.51.100.7", "someone.else@amuca.kg")  # another address is not affected
