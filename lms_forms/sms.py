"""Text messages, through a backend the site chooses, as Django's mail framework does for email.

    send_sms(to, text)                   # to: a number in E.164 (+4791234567)

`settings.LMS_SMS_BACKEND` names the backend's class; without it, no text message is sent and
`sms_enabled()` is false. A hospital plugs in its own gateway with a subclass of `BaseSmsBackend`
that implements `send_messages`, raising an exception for a message its gateway refused:

    class GatewaySmsBackend(BaseSmsBackend):
        def send_messages(self, messages):
            for message in messages:
                gateway.send(sender=self.sender, to=message.to, text=message.text)
            return len(messages)

    LMS_SMS_BACKEND = "hospital.sms.GatewaySmsBackend"
    LMS_SMS_SENDER = "Sykehuset"   # the sender's name or number, where the gateway allows one
"""

import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

# What the test backend has sent, as django.core.mail.outbox holds emails.
outbox = []


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str


class BaseSmsBackend:
    def __init__(self, sender=None):
        self.sender = sender if sender is not None else getattr(settings, "LMS_SMS_SENDER", "")

    def send_messages(self, messages):
        """Send `messages` (SmsMessage); return how many were sent; raise for a refused one."""
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Writes each message to standard output: for development."""

    def send_messages(self, messages):
        for message in messages:
            sys.stdout.write(f"SMS from {self.sender or '-'} to {message.to}:\n{message.text}\n\n")
        sys.stdout.flush()
        return len(messages)


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps each message in `lms_forms.sms.outbox`: for tests."""

    def send_messages(self, messages):
        outbox.extend(messages)
        return len(messages)


def sms_enabled():
    return bool(getattr(settings, "LMS_SMS_BACKEND", ""))


def get_backend():
    return import_string(settings.LMS_SMS_BACKEND)()


def send_sms(to, text):
    return get_backend().send_messages([SmsMessage(to=to, text=text)])
