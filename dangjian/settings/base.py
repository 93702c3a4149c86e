"""Base settings, read from the environment; safe defaults for development and the demo."""

import json
import os
import secrets
from base64 import b64encode
from collections.abc import Callable
from pathlib import Path

import dj_database_url

from .env import database_url, email_config, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("DANGJIAN_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DANGJIAN_DEBUG", False)
# Demo mode: the demo command may create accounts with a printed, known password.
DEMO_MODE = env_bool("DANGJIAN_DEMO", False)


def _local_secret(name: str, make: Callable[[], str]) -> str:
    """A per-installation secret kept under var/, created once (atomically, so parallel
    test workers agree). Only used when the environment does not provide one."""
    path = VAR_DIR / name
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(make())
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def _new_key() -> str:
    return b64encode(secrets.token_bytes(32)).decode()


SECRET_KEY = env_str("SECRET_KEY") or _local_secret("secret_key", lambda: secrets.token_urlsafe(50))

# Field encryption (ID number, phone): "kid:base64key,kid2:base64key2" — the first key encrypts,
# all keys decrypt, so keys can be rotated. Deliberately independent of SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env_str("FIELD_ENCRYPTION_KEYS") or _local_secret(
    "field_keys", lambda: json.dumps({"k1": _new_key()})
)
# HMAC key of the blind indexes used for exact lookup and de-duplication of encrypted values.
BLIND_INDEX_KEY = env_str("BLIND_INDEX_KEY") or _local_secret("blind_index_key", _new_key)
# HMAC key of the audit log's hash chain (core/chain.py), kept out of the database like the others.
AUDIT_CHAIN_KEY = env_str("AUDIT_CHAIN_KEY") or _local_secret("audit_chain_key", _new_key)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "treebeard",
    "huey.contrib.djhuey",
    "dangjian.core",
    "dangjian.organizations",
    "dangjian.members",
    "dangjian.accounts",
    "dangjian.orglife",
    "dangjian.study",
    "dangjian.lectures",
    "dangjian.polls",
    "dangjian.leaders",
    "dangjian.notifications",
    "dangjian.dues",
    "dangjian.roster",
    "dangjian.evaluation",
    "dangjian.points",
    "dangjian.transfers",
    "dangjian.identity",
    "dangjian.supervision",
    "dangjian.rectification",
    "dangjian.campaigns",
    "dangjian.honours",
    "dangjian.weakorgs",
    "dangjian.villagework",
    "dangjian.community",
    "dangjian.elections",
    "dangjian.development",
    "dangjian.discussion",
    "dangjian.compliance",
    "dangjian.notices",
    "dangjian.feed",
    "dangjian.demo",
    "dangjian.api",
    "dangjian.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dangjian.core.locale.ChosenLanguageMiddleware",
    "dangjian.core.input_guard.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dangjian.core.middleware.AuditContextMiddleware",
    "dangjian.accounts.middleware.LoginSecurityMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        database_url(f"sqlite:///{VAR_DIR / 'dangjian.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on the busy timeout instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) serve the per-subtree counts on PostgreSQL; SQLite builds the same
# index without the extra columns, which is what the county default wants anyway.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "dangjian.accounts.passwords.PasswordPolicyValidator"},
]

# Idle sessions end after this many minutes; a request renews the session (at most once a minute:
# accounts.middleware.RENEW_EVERY).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 15)  # staff; the login policy overrides
SESSION_MEMBER_IDLE_MINUTES = env_int("SESSION_MEMBER_IDLE_MINUTES", 120)  # members only
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False  # renewed by accounts.middleware.renew
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)
# API bearer tokens: refused after this many hours without use, and this many days after issue.
API_TOKEN_IDLE_HOURS = env_int("API_TOKEN_IDLE_HOURS", 12)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 7)
# A calendar subscription link stops working this many days after it was made (calendars poll
# for months, so it is long; a new link is one click). Ending an account's credentials ends it too.
CALENDAR_FEED_MAX_DAYS = env_int("CALENDAR_FEED_MAX_DAYS", 365)
# One-time codes for enrolling a second factor, handed out by a security administrator.
ACTIVATION_CODE_HOURS = env_int("ACTIVATION_CODE_HOURS", 72)
# Wrong codes an account may try before its outstanding code is void (a new one must be asked for).
ACTIVATION_CODE_MAX_ATTEMPTS = env_int("ACTIVATION_CODE_MAX_ATTEMPTS", 5)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "dangjian" / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dangjian.accounts.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "dangjian.accounts.api.permissions.PasswordChosen",
    ],
    "DEFAULT_PAGINATION_CLASS": "dangjian.api.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "dangjian.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "dangjian API",
    "DESCRIPTION": "智慧党建工作平台 REST API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `kind` and a `status`: name their enums after the choices classes.
    "ENUM_NAME_OVERRIDES": {
        "OrgKindEnum": "dangjian.organizations.models.OrgKind",
        "MeetingKindEnum": "dangjian.orglife.models.MeetingKind",
        "MemberStatusEnum": "dangjian.members.models.MemberStatus",
        "MeetingStatusEnum": "dangjian.orglife.models.MeetingStatus",
        "MeetingDisplayStatusEnum": "dangjian.orglife.models.DisplayStatus",
        "AttendanceStatusEnum": "dangjian.orglife.models.AttendanceStatus",
        "NotificationChannelEnum": "dangjian.notifications.models.Channel",
        "PollKindEnum": "dangjian.polls.models.PollKind",
        "PollStatusEnum": "dangjian.polls.models.PollStatus",
        "PollElectorateEnum": "dangjian.polls.models.Electorate",
        "PostReportStateEnum": "dangjian.discussion.models.ReportState",
        "PostStateEnum": "dangjian.discussion.models.PostState",
        "ThreadStateEnum": "dangjian.discussion.models.ThreadState",
        "HonourCategoryEnum": "dangjian.honours.models.Category",
        "SectorEnum": "dangjian.organizations.models.Sector",
        "CampaignKindEnum": "dangjian.campaigns.models.CampaignKind",
        "CampaignFieldTypeEnum": "dangjian.campaigns.models.FieldType",
        "CommitteePostEnum": "dangjian.members.models.ELECTED_POSTS",
        "VillagePostEnum": "dangjian.elections.village.models.VillagePost",
        "VillageCommitteePostEnum": "dangjian.elections.village.api.COMMITTEE_POST_CHOICES",
        "VillageElectionStateEnum": "dangjian.elections.village.models.VillageElectionState",
        "CandidateReviewEnum": "dangjian.elections.village.models.ReviewResult",
        "CandidateReviewResultEnum": "dangjian.elections.village.api.REVIEW_CHOICES",
        # Member development: names other apps' stages and occupations must not take.
        "DevelopmentStageEnum": "dangjian.development.models.Stage",
        "DevelopmentOccupationEnum": "dangjian.development.models.Occupation",
        "DevelopmentRecommendationEnum": "dangjian.development.models.Recommendation",
        "VillageTeamRoleEnum": "dangjian.villagework.models.TeamRole",
        "GradeEnum": "dangjian.evaluation.models.Grade",
        "RoleEnum": "dangjian.accounts.roles.Role",
        "VillageAssignmentStateEnum": "dangjian.villagework.models.AssignmentState",
        "VillageLogKindEnum": "dangjian.villagework.models.LogKind",
        "VillageGradeEnum": "dangjian.villagework.models.Grade",
        "CommunityRegistrationStateEnum": "dangjian.community.models.RegistrationState",
        "CommunityTaskStateEnum": "dangjian.community.models.TaskState",
        "CommunityPairingStateEnum": "dangjian.community.models.PairingState",
        "CommitmentFulfilmentEnum": "dangjian.community.models.Fulfilment",
    },
    # The default enum hook, then the error answers every operation can give.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "dangjian.api.schema.document_errors",
    ],
}

# --- Background jobs (Huey) -------------------------------------------------------------------
# Reminders run as Huey periodic tasks in a separate worker: `dangjian run_huey`. The queue is a
# SQLite file under var/ by default (nothing else to run for one county or a demo); with
# DANGJIAN_REDIS_URL (e.g. redis://127.0.0.1:6379/0) it lives in Redis, as in production.
REDIS_URL = env_str("DANGJIAN_REDIS_URL")
HUEY = {
    "name": "dangjian",
    "huey_class": "huey.PriorityRedisHuey" if REDIS_URL else "huey.SqliteHuey",
    # Explicit: djhuey would otherwise run tasks inline whenever DEBUG is on. Inline (immediate)
    # mode also runs no periodic tasks; tests switch it on in conftest.
    "immediate": env_bool("DANGJIAN_HUEY_IMMEDIATE", False),
    # Crontabs read the worker's local clock, which Django sets to TIME_ZONE (Asia/Shanghai), so
    # "hour=8" means 08:00 Beijing time whatever the server's own zone.
    "utc": False,
    # Nobody reads task return values: don't let a result store grow.
    "results": False,
    "connection": {"url": REDIS_URL} if REDIS_URL else {"filename": str(VAR_DIR / "huey.sqlite3")},
    # An idle consumer backs off polling up to max_delay: one second keeps "a closed meeting shows
    # on every level within 5 s" true on the SQLite queue (Redis blocks on the queue instead).
    "consumer": {"workers": env_int("DANGJIAN_HUEY_WORKERS", 2), "worker_type": "thread", "max_delay": 1.0},
}

# --- Email -------------------------------------------------------------------------------------
# Notifications are emailed only when a mail server is configured: DANGJIAN_EMAIL_URL
# (smtp+tls://user:password@host:587, smtps://…:465, smtp://host:25, console://) or Django's own
# EMAIL_HOST / EMAIL_PORT / EMAIL_HOST_USER / EMAIL_HOST_PASSWORD / EMAIL_USE_TLS / EMAIL_USE_SSL.
_email = email_config(env_str("DANGJIAN_EMAIL_URL"))
EMAIL_HOST = _email.host if _email else env_str("EMAIL_HOST")
NOTIFICATION_EMAIL = _email is not None or bool(EMAIL_HOST)
if _email:
    EMAIL_BACKEND = _email.backend
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:  # not configured: nothing may try a mail server on localhost:25 by accident
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
EMAIL_PORT = _email.port if _email else env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.user if _email else env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = _email.password if _email else env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = _email.use_tls if _email else env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.use_ssl if _email else env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20  # seconds: a hung mail server must not hold a worker thread for ever
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "dangjian@localhost")
EMAIL_SUBJECT_PREFIX = ""
# The address of the site as users reach it (https://dj.example), for links in emails; emails
# carry no link without it (the server cannot know its public name behind a proxy).
SITE_URL = env_str("DANGJIAN_SITE_URL").rstrip("/")

# --- Notification channels (docs/notifications.md) ------------------------------------------
# SMS and WeCom: "console" (the default: one line in the log per message, nothing leaves the
# server), "" (the channel is off), or the provider: "aliyun" for Aliyun SMS, "wecom" for WeCom
# application messages, each with its credentials below.
NOTIFICATION_SMS_BACKEND = env_str("DANGJIAN_SMS_BACKEND", "console")
NOTIFICATION_ALIYUN_SMS = {
    "endpoint": env_str("DANGJIAN_ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
    "access_key_id": env_str("DANGJIAN_ALIYUN_SMS_ACCESS_KEY_ID"),
    "access_key_secret": env_str("DANGJIAN_ALIYUN_SMS_ACCESS_KEY_SECRET"),
    "sign_name": env_str("DANGJIAN_ALIYUN_SMS_SIGN_NAME"),
    "template_code": env_str("DANGJIAN_ALIYUN_SMS_TEMPLATE"),
}
NOTIFICATION_WECOM_BACKEND = env_str("DANGJIAN_WECOM_BACKEND", "console")
NOTIFICATION_WECOM = {
    "api": env_str("DANGJIAN_WECOM_API", "https://qyapi.weixin.qq.com"),
    "corpid": env_str("DANGJIAN_WECOM_CORPID"),
    "secret": env_str("DANGJIAN_WECOM_SECRET"),
    "agentid": env_str("DANGJIAN_WECOM_AGENTID", "0"),
}
# Per user and Beijing day, on each channel; beyond it a message stays in the inbox only.
NOTIFICATION_DAILY_LIMITS = {
    "sms": env_int("DANGJIAN_NOTIFY_SMS_PER_DAY", 10),
    "wecom": env_int("DANGJIAN_NOTIFY_WECOM_PER_DAY", 50),
    "email": env_int("DANGJIAN_NOTIFY_EMAIL_PER_DAY", 100),
}
# Default quiet hours (start, end) in Beijing time; each user may choose 20–23 h to 5–9 h.
NOTIFICATION_QUIET_HOURS = (22, 7)
NOTIFICATION_MAX_ATTEMPTS = env_int("DANGJIAN_NOTIFY_MAX_ATTEMPTS", 5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # The worker's own log (start, tasks run) through the console handler once: with a handler
    # here, `run_huey` adds none of its own, which would print every line twice.
    "loggers": {"huey": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
# --- Content-Security-Policy (django-csp) --------------------------------------------------------
# Every response carries it, in every profile (tests and the demo see what production serves).
# Scripts and styles come from this site's files only: no inline <script>, no on*= attributes, no
# style="" attributes, no eval (HTMX is told so in base.html's htmx-config). Data for scripts
# travels in data- attributes or json_script blocks. Bootstrap's CSS draws a few icons as data:
# SVG images; ECharts draws into a canvas. A view may set its own, stricter header (attachment
# downloads: default-src 'none'), which the middleware leaves alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # The service worker (/sw.js) and the web manifest come from this site only.
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Serve static files straight from the app folders when collectstatic has not run (demo, tests);
# the production profile serves the collected, hashed files only.
WHITENOISE_USE_FINDERS = True

from django.utils.translation import gettext_lazy  # noqa: E402

FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("All")

# --- Roster files ------------------------------------------------------------------------------
# Uploaded rosters and import reports (sealed at rest) are deleted after this many days.
DANGJIAN_IMPORT_RETENTION_DAYS = env_int("DANGJIAN_IMPORT_RETENTION_DAYS", 7)
# What reading a workbook may cost, checked before anything is decompressed (roster/limits.py).
ROSTER_MAX_UNZIPPED_MB = env_int("DANGJIAN_IMPORT_MAX_UNZIPPED_MB", 800)
ROSTER_MAX_ZIP_RATIO = env_int("DANGJIAN_IMPORT_MAX_ZIP_RATIO", 100)
ROSTER_MAX_ZIP_ENTRIES = env_int("DANGJIAN_IMPORT_MAX_ZIP_ENTRIES", 1000)
ROSTER_MAX_XLS_MB = env_int("DANGJIAN_IMPORT_MAX_XLS_MB", 64)
