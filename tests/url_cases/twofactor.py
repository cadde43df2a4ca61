"""Two-factor pages: every account's own status, enrolment, verification and recovery codes;
the security administrator's device list and reset."""

from __future__ import annotations

from tests.test_url_matrix import ALL, Case, S

CASES = {
    "twofactor:overview": Case(ALL),
    "twofactor:enroll": Case(ALL),
    "twofactor:verify": Case(ALL),
    # Without a device the service refuses and the page redirects back with a message.
    "twofactor:recovery_regenerate": Case(ALL, method="post"),
    "twofactor:device_list": Case(S("security_admin")),
    "twofactor:device_reset": Case(S("security_admin"), {"pk": "user:nobody"}, method="post"),
}
