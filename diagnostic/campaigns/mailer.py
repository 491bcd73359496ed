"""Sending e-mail through the SMTP server of the settings (standard library only)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from types import TracebackType

from diagnostic.errors import DiagnosticError
from diagnostic.settings import Settings

TIMEOUT_S = 30


class MailServerError(DiagnosticError):
    """The server cannot be reached or used (connection, encryption, sign-in): the run stops;
    a later run resumes where this one stopped."""


class Refused(DiagnosticError):
    """The server refused this one message (an address it does not accept…): `reason` is its
    reply, « 550 5.1.1 … »; the run goes on with the next person."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # starttls | ssl | aucune
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)


def smtp_config(settings: Settings) -> SmtpConfig | None:
    """The SMTP server of the settings, or None when SMTP_HOST or SMTP_SENDER is missing (the
    page then offers the mail merge and the printable links instead)."""
    if not settings.smtp_host or not settings.smtp_sender:
        return None
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        security=settings.smtp_security,
        sender=settings.smtp_sender,
        user=settings.smtp_user or None,
        password=password,
    )


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}".strip()


class Mailer:
    """One connection to the server for a run of messages: `with Mailer(config) as m:`."""

    def __init__(self, config: SmtpConfig):
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        c = self.config
        where = f"{c.host}:{c.port}"
        try:
            if c.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    c.host, c.port, timeout=TIMEOUT_S, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(c.host, c.port, timeout=TIMEOUT_S)
                if c.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if c.user:
                smtp.login(c.user, c.password or "")
        except smtplib.SMTPNotSupportedError:
            raise MailServerError(
                f"le serveur {where} ne propose pas STARTTLS : réglez SMTP_SECURITY sur ssl "
                "(port 465) ou, pour un serveur local seulement, sur aucune"
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise MailServerError(
                f"le serveur {where} refuse l'identifiant ou le mot de passe "
                f"({_reply(exc.smtp_code, exc.smtp_error)}) : vérifiez SMTP_USER et SMTP_PASSWORD"
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailServerError(
                f"connexion impossible au serveur {where} ({exc or type(exc).__name__}) : "
                "vérifiez SMTP_HOST, SMTP_PORT et SMTP_SECURITY"
            ) from None
        self._smtp = smtp
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def message(self, to: str, name: str | None, subject: str, body: str) -> EmailMessage:
        """The e-mail as sent: plain UTF-8 text, a Message-ID of the sender's domain."""
        msg = EmailMessage()
        msg["From"] = self.config.sender
        msg["To"] = formataddr((name or "", to))
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=True)
        domain = parseaddr(self.config.sender)[1].rpartition("@")[2] or None
        msg["Message-ID"] = make_msgid(domain=domain)
        msg.set_content(body)
        return msg

    def send(self, to: str, name: str | None, subject: str, body: str) -> None:
        """Send one message; Refused with the server's reply when it refuses this message,
        MailServerError when the connection is lost (the run must stop)."""
        assert self._smtp is not None, "Mailer used outside `with`"
        msg = self.message(to, name, subject, body)
        try:
            refused = self._smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise Refused(_reply(code, text)) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise Refused(_reply(exc.smtp_code, exc.smtp_error)) from None
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            raise MailServerError(
                f"la connexion au serveur {self.config.host} s'est interrompue "
                f"({exc or type(exc).__name__}) : relancez l'envoi, il reprendra où il s'est "
                "arrêté"
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise Refused(_reply(exc.smtp_code, exc.smtp_error)) from None
        if refused:
            code, text = next(iter(refused.values()))
            raise Refused(_reply(code, text))
