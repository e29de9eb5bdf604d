"""django-otp's devices are taken out of the Django admin (issue 15).

Its admin would show every officer's TOTP secret and unused recovery codes to any superuser,
and change them with no audit event. A lost authenticator is reset with
`manage.py reset_two_factor USERNAME` (audited) instead.
"""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)
