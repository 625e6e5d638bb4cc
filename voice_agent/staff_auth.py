"""Staff sign-in for the staff page: argon2 password hashes, a signed session cookie scoped to
/staff, a CSRF token per session (and a signed one before sign-in), and lockout per account.

The clinic's API key never reaches a browser: staff have their own accounts (`voice-agent staff add`).
The session cookie carries the staff id, clinic id and the session's CSRF token, signed with
SECRET_KEY (itsdangerous) and valid for SESSION_SECONDS; it is HttpOnly, SameSite=Strict and Secure
when the public URL is https. Signing out records the session in Redis, so a copy of the cookie
stops working too; a deactivated account's cookie stops working at once.
"""
from __future__ import annotations

import asyncio
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from storage.staff import StaffAccount, StaffAccounts
from storage.staff_sessions import SignedOutSessions

COOKIE = "staff_session"
LOGIN_CSRF_COOKIE = "staff_login_csrf"
SESSION_SECONDS = 8 * 3600
FAILURE_LIMIT = 5
LOCK_SECONDS = 15 * 60
_hasher = PasswordHasher()
# Verifying against this when the email is unknown keeps the answer's timing the same.
_DUMMY = _hasher.hash("not-a-password-" + secrets.token_hex(8))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@dataclass(frozen=True)
class StaffSession:
    staff_id: str
    clinic_id: str
    email: str
    csrf: str


@dataclass(frozen=True)
class SignIn:
    session: StaffSession | None
    locked_until: datetime | None = None


class StaffAuth:
    def __init__(self, accounts: StaffAccounts, secret_key: str, *, secure: bool,
                 signed_out: SignedOutSessions | None = None) -> None:
        self.accounts, self.signed_out = accounts, signed_out
        self.secure = secure
        self._cookies = URLSafeTimedSerializer(secret_key, salt="voice-agent/staff-session")
        self._login = URLSafeTimedSerializer(secret_key, salt="voice-agent/staff-login-csrf")
        # argon2 takes ~100 ms of CPU: off the event loop (calls' audio shares it), two at a time
        self._hashing = asyncio.Semaphore(2)

    async def _verify(self, password_hash: str, password: str) -> bool:
        async with self._hashing:
            return await asyncio.to_thread(_verify, password_hash, password)

    async def sign_in(self, email: str, password: str) -> SignIn:
        account = await self.accounts.by_email(email) if email else None
        if account is None or not account.is_active:
            await self._verify(_DUMMY, password)
            return SignIn(None)
        locked = await self.accounts.locked_until(account.id)
        if locked is not None:
            return SignIn(None, locked)
        if not await self._verify(account.password_hash, password):
            return SignIn(None, await self.accounts.failed(account.id, FAILURE_LIMIT, LOCK_SECONDS))
        rehash = await asyncio.to_thread(hash_password, password) \
            if _hasher.check_needs_rehash(account.password_hash) else None
        await self.accounts.signed_in(account.id, rehash)
        return SignIn(StaffSession(account.id, account.clinic_id, account.email, secrets.token_urlsafe(24)))

    def cookie_value(self, session: StaffSession) -> str:
        return self._cookies.dumps([session.staff_id, session.clinic_id, session.email, session.csrf])

    def session(self, cookie: str | None) -> StaffSession | None:
        if not cookie:
            return None
        try:
            staff_id, clinic_id, email, csrf = self._cookies.loads(cookie, max_age=SESSION_SECONDS)
        except (BadSignature, ValueError, TypeError):
            return None
        return StaffSession(str(staff_id), str(clinic_id), str(email), str(csrf))

    async def current(self, cookie: str | None) -> StaffSession | None:
        """The signed-in staff member, still an active account of that clinic."""
        session = self.session(cookie)
        if session is None:
            return None
        if self.signed_out is not None and await self.signed_out.is_signed_out(session.csrf):
            return None
        account = await self.accounts.by_id(session.clinic_id, session.staff_id)
        return session if account is not None and account.is_active else None

    async def sign_out(self, session: StaffSession) -> None:
        """The cookie stops working now, wherever a copy of it is."""
        if self.signed_out is not None:
            await self.signed_out.sign_out(session.csrf, SESSION_SECONDS)

    def login_token(self) -> tuple[str, str]:
        """(form token, cookie value) for the sign-in form: double submit, signed."""
        token = secrets.token_urlsafe(24)
        return token, self._login.dumps(token)

    def login_token_ok(self, form_token: str | None, cookie: str | None) -> bool:
        if not form_token or not cookie:
            return False
        try:
            expected = self._login.loads(cookie, max_age=3600)
        except BadSignature:
            return False
        return hmac.compare_digest(str(expected).encode(), form_token.encode())


def csrf_ok(session: StaffSession, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(session.csrf.encode(), token.encode())   # bytes: any text is safe


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def account_of(session: StaffSession) -> str:
    return session.email


__all__ = ["StaffAccount", "StaffAuth", "StaffSession", "csrf_ok", "hash_password"]
