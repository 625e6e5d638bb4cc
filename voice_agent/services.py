"""The process-wide services, built once (by `create_app` or a test) and handed to routes and
middleware: one typed object, no lazy construction on the first request."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import redis.asyncio as aioredis
from psycopg_pool import AsyncConnectionPool

from channels.deps import ChannelDeps
from channels.reminders import ReminderJob
from channels.voice.deps import VoiceDeps
from channels.voice.draining import CallDrain
from channels.voice.kit import VoiceKit
from channels.voice.transfer import WarmTransfer
from dialogue.engine import Engine
from dialogue.ports import Notifier
from ehr.builtin.calendar import BuiltinCalendar
from ehr.availability_cache import AvailabilityCache
from ehr.http_retry import retrying_client
from ehr.protocol import EHRAdapter
from ehr.router import ClinicRouter
from storage.credentials_keyring import Keyring
from storage.ehr_cache import RedisAvailabilityCache
from storage.ehr_credentials import EHRCredentialStore
from storage.audit_anchor import AuditAnchors, derive_key
from storage.audit_sink import AuditRepository
from storage.auth_failures import FailedKeyGuard
from storage.clinics import ClinicRepository
from storage.consent import ConsentRepository
from storage.crypto import FieldCipher
from storage.handoffs import HandoffStore
from storage.key_cache import ClinicKeys
from storage.rate_limiter import RateLimiter
from storage.sms_log import SmsLogRepository
from storage.staff import StaffAccounts
from storage.staff_sessions import SignedOutSessions
from storage.transfers import TransferRecords
from storage.turn_lock import TurnLocks
from voice_agent import wiring
from voice_agent.ehr_registry import ClinicAdapters, breakers_for, wrap_adapter
from voice_agent.conversation_locks import ConversationLocks
from voice_agent.directory import ClinicDirectoryRepository
from voice_agent.session_store import EncryptedSessionStore
from voice_agent.staff_auth import StaffAuth
from voice_agent.staff_events import HandoffEvents
from voice_agent.staff_page import StaffDeps
from voice_agent.staff_replies import StaffReplies
from voice_agent.web.settings import Settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    pool: AsyncConnectionPool
    redis: aioredis.Redis
    clinics: ClinicRepository
    anchors: AuditAnchors                 # every audit writer gets it: the chain heads kept outside the DB
    cipher: FieldCipher
    directory: ClinicDirectoryRepository  # clinics by id, number or slug (cached): the engine's and the channels'
    sessions: EncryptedSessionStore       # conversations: the engine writes them, the voice channel reads a call's
    audit: AuditRepository                # stand-alone audit events (the engine's, a voicemail left)
    ehr: EHRAdapter                       # the one calendar the engine and the scheduling API share
    ehr_store: EHRCredentialStore         # each clinic's EHR choice and sealed credentials
    ehr_cache: AvailabilityCache          # vendor availability, dropped on writes and webhooks
    ehr_http: httpx.AsyncClient           # every vendor adapter's HTTP client (retrying transport)
    ehr_adapters: ClinicAdapters | None   # which adapter serves a clinic (None: a calendar was passed in)
    consent: ConsentRepository
    sms_log: SmsLogRepository
    notifier: Notifier
    turn_lock: ConversationLocks          # one turn of a conversation at a time, across processes
    handoffs: HandoffStore                # every handoff, from any channel, as a record staff see
    engine: Engine
    clinic_keys: ClinicKeys               # API key hash -> clinic, cached in Redis
    rate_limiter: RateLimiter
    auth_failures: FailedKeyGuard
    voice: VoiceKit
    transfer: WarmTransfer                # warm transfer of calls to the front desk (needs the Twilio REST client)
    reminders: ReminderJob | None = None  # reminder texts (docs/reminders.md); None without Twilio
    twilio: Any = None                    # the Twilio REST client (None when not configured)

    @classmethod
    def build(cls, settings: Settings, pool: AsyncConnectionPool, redis: aioredis.Redis, *,
              ehr: EHRAdapter | None = None, twilio_http: Any = None, anthropic_http: Any = None,
              voice: VoiceKit | None = None, notifier: Notifier | None = None) -> "Services":
        """Everything, from settings. A keyword replaces one part: a calendar on a fixed clock, the
        Twilio SDK's or the Anthropic SDK's HTTP client, a voice kit with fakes, the notifier that
        texts confirmations (tests, benchmarks)."""
        clinics = ClinicRepository(pool)
        anchors = AuditAnchors(redis, derive_key(settings.secret_key, settings.audit_anchor_key))
        cipher = FieldCipher(settings.secret_key)
        ehr_store = EHRCredentialStore(pool, Keyring.from_settings(settings.ehr_credentials_keys, settings.secret_key))
        ehr_cache = RedisAvailabilityCache(redis)
        ehr_http = retrying_client()
        adapters = None
        if ehr is not None:
            calendar = ehr
        else:
            builtin = BuiltinCalendar(pool, anchors=anchors)
            default = wrap_adapter("builtin", builtin, settings=settings)
            adapters = ClinicAdapters(ehr_store, default, http=ehr_http, breakers=breakers_for(settings),
                                      cache=ehr_cache, now=builtin.now, settings=settings)
            calendar = ClinicRouter(default, adapters)
        consent = ConsentRepository(pool, cipher, anchors)
        sms_log = SmsLogRepository(pool, cipher)
        twilio = wiring.twilio_client(settings, twilio_http)
        if notifier is None:
            notifier = wiring.notifier(settings, twilio, consent, sms_log)
        turn_lock = ConversationLocks(TurnLocks.build(redis, pool.conninfo, settings.secret_key))
        handoffs = HandoffStore(pool)
        directory = ClinicDirectoryRepository(clinics)
        sessions = wiring.session_store(settings, pool, redis, cipher)
        audit = AuditRepository(pool, anchors)
        engine = wiring.engine(settings, sessions=sessions, directory=directory, audit=audit, calendar=calendar,
                               notifier=notifier, turn_lock=turn_lock, handoffs=handoffs,
                               anthropic_http=anthropic_http)
        return cls(settings=settings, pool=pool, redis=redis, clinics=clinics, anchors=anchors, cipher=cipher,
                   directory=directory, sessions=sessions, audit=audit,
                   ehr=calendar, ehr_store=ehr_store, ehr_cache=ehr_cache, ehr_http=ehr_http,
                   ehr_adapters=adapters, consent=consent, sms_log=sms_log, notifier=notifier, turn_lock=turn_lock,
                   handoffs=handoffs, engine=engine,
                   clinic_keys=ClinicKeys(redis, clinics),
                   rate_limiter=RateLimiter(redis, settings.rate_limit_window),
                   auth_failures=FailedKeyGuard(redis, settings.secret_key, settings.auth_failure_limit,
                                                settings.auth_failure_window),
                   voice=voice or VoiceKit.from_settings(settings),
                   transfer=WarmTransfer(settings=settings, client=twilio, handoffs=handoffs,
                                         records=TransferRecords(pool), engine=engine, conversations=sessions),
                   reminders=wiring.reminder_job(settings, pool, cipher, consent, twilio), twilio=twilio)

    def channel_deps(self) -> ChannelDeps:
        """What the channels are handed (they never see this object)."""
        return ChannelDeps(settings=self.settings, engine=self.engine, clinics=self.directory, consent=self.consent,
                           sms_log=self.sms_log, limiter=self.rate_limiter)

    def staff_deps(self, events: HandoffEvents) -> StaffDeps:
        """The staff page's parts. `events`: this process's listener (built by `create_app`)."""
        auth = StaffAuth(StaffAccounts(self.pool), self.settings.secret_key,
                         secure=self.settings.public_base_url.startswith("https://"),
                         signed_out=SignedOutSessions(self.redis))
        replies = StaffReplies(self.engine, self.clinics, self.consent, self.twilio, self.settings.public_base_url,
                               audit=self.audit)
        return StaffDeps(auth=auth, handoffs=self.handoffs, events=events, replies=replies, clinics=self.clinics,
                         limiter=self.rate_limiter)

    def voice_deps(self, drain: CallDrain) -> VoiceDeps:
        """`drain`: the app's live calls (built by `create_app`: one per server process)."""
        return VoiceDeps(settings=self.settings, engine=self.engine, clinics=self.directory,
                         conversations=self.sessions, audit=self.audit, disclosures=self.consent, kit=self.voice,
                         drain=drain, transfer=self.transfer)
