"""Settings come from the environment; the defaults run the embedded SQLite platform under ./var/."""
import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("TRUSTOPS_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    configured = os.environ.get("TRUSTOPS_SECRET_KEY")
    if configured:
        return configured
    # Development only: keep a generated key under var/ so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _flag("TRUSTOPS_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get(
    "TRUSTOPS_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("TRUSTOPS_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Ninja's own templates and static files: the API docs page serves Swagger UI from here, never a CDN.
    "ninja",
    "js_lib_htmx",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "trustops.kernel",
    "trustops.identity",
    "trustops.ledger",
    "trustops.subjects",
    "trustops.policies",
    "trustops.outbox",
    "trustops.review",
    "trustops.intake",
    "trustops.enforcement",
    "trustops.quality",
    "trustops.insights",
    "trustops.workforce",
    "trustops.compliance",
    "trustops.risk",
    "trustops.support",
    "trustops.merchants",
    "trustops.config",
    "trustops.simulation",
    "trustops.console",
    "trustops.runtime",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "trustops.kernel.middleware.ApiErrorShapeMiddleware",
    "trustops.kernel.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "trustops.console.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Login throttling: five failures for one username from one address lock it for fifteen minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("TRUSTOPS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "trustops.console.sign_in.locked_out"
# The address a failure is counted against is REMOTE_ADDR: behind trusted proxies `trustops serve` has already
# put the client's address there (runtime/serving.py); reading X-Forwarded-For again would believe forged ones.
AXES_CLIENT_IP_CALLABLE = "trustops.console.sign_in.client_address"
OTP_TOTP_ISSUER = "trustops"

ROOT_URLCONF = "trustops.urls"
WSGI_APPLICATION = "trustops.wsgi.application"
ASGI_APPLICATION = "trustops.asgi.application"

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]

DATABASE_URL = os.environ.get("TRUSTOPS_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'trustops.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("TRUSTOPS_DB_CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the console read while intake writes; IMMEDIATE avoids upgrade deadlocks between writers.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
_test_name = os.environ.get("TRUSTOPS_TEST_DATABASE_NAME")
if _test_name and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and "/" not in _test_name:
    # A named SQLite test database is a file: keep it under the var directory, not wherever the tests ran.
    _test_name = str(VAR_DIR / _test_name)
DATABASES["default"]["TEST"] = {"NAME": _test_name} if _test_name else {}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"

REDIS_URL = os.environ.get("TRUSTOPS_REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background jobs: Huey on SQLite by default, Redis when configured (scale-out).
# Under pytest, jobs run in-process at once: tests never depend on a worker being up.
_huey_immediate = _flag("TRUSTOPS_JOBS_IMMEDIATE") or "pytest" in sys.modules
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "trustops", "url": REDIS_URL, "immediate": _huey_immediate}
else:
    HUEY = {"huey_class": "huey.SqliteHuey", "name": "trustops", "filename": str(VAR_DIR / "jobs.sqlite3"),
            "immediate": _huey_immediate}
HUEY["consumer"] = {"workers": int(os.environ.get("TRUSTOPS_WORKERS", "2")), "worker_type": "thread"}
INSTALLED_APPS.append("huey.contrib.djhuey")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A batch of 1,000 reports with long texts must fit; the API refuses larger batches itself (413).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("TRUSTOPS_MAX_REQUEST_BYTES", str(16 * 1024 * 1024)))

# Secure headers. Behind TLS, set TRUSTOPS_HTTPS=true.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
HTTPS = _flag("TRUSTOPS_HTTPS")
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _flag("TRUSTOPS_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("TRUSTOPS_HSTS_SECONDS", "31536000"))
    # No SECURE_PROXY_SSL_HEADER: the scheme comes from waitress, which takes X-Forwarded-Proto only from the
    # trusted proxies below, so a client cannot claim HTTPS by sending the header itself.

# The load balancers or reverse proxies in front of `trustops serve`: addresses or networks of the peers whose
# forwarded headers are believed ("*": any peer, only when nothing else can reach the server), how many proxies
# the chain holds, and which headers they set. Everyone else's forwarded headers are removed.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTOPS_TRUSTED_PROXY", "").split(",") if p.strip()]
PROXY_COUNT = int(os.environ.get("TRUSTOPS_PROXY_COUNT", "1"))
TRUSTED_PROXY_HEADERS = [h.strip().lower() for h in os.environ.get(
    "TRUSTOPS_TRUSTED_PROXY_HEADERS", "x-forwarded-for,x-forwarded-proto,x-forwarded-host,x-forwarded-port"
).split(",") if h.strip()]

# Every page may run only the scripts and styles it loads from this server: no inline script, event-handler
# attribute, style attribute or <style> element runs. QR codes are inline SVG; `data:` is the empty favicon.
# The API's interactive docs (Swagger UI) keep their own rules until they are served from here.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TRUSTOPS_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "huey": {"level": "WARNING"}},
}

def _attribute_schema() -> dict:
    """The platform's declaration of personal and safe attribute paths (subjects/masking.py), from a JSON file."""
    path = os.environ.get("TRUSTOPS_ATTRIBUTE_SCHEMA_FILE")
    if not path:
        return {}
    import json

    return json.loads(Path(path).read_text())


TRUSTOPS = {
    # Ledger events younger than this are left for the next block, so slow writers are never skipped.
    "LEDGER_SEAL_HORIZON_SECONDS": float(os.environ.get("TRUSTOPS_LEDGER_SEAL_HORIZON_SECONDS", "2")),
    "LEDGER_BLOCK_MAX_EVENTS": int(os.environ.get("TRUSTOPS_LEDGER_BLOCK_MAX_EVENTS", "10000")),
    "INTAKE_BATCH_MAX": 1000,
    # Which attribute paths are personal or safe to show vendor staff, per subject type (subjects/masking.py).
    "ATTRIBUTE_SCHEMA": _attribute_schema(),
    # Region given to a subject the platform sent without one.
    "DEFAULT_REGION": os.environ.get("TRUSTOPS_DEFAULT_REGION", "US"),
    "API_TOKEN_TOUCH_SECONDS": 60,
    "LEASE_SECONDS": int(os.environ.get("TRUSTOPS_LEASE_SECONDS", "600")),
    # The EU DSA (Art. 20) requires at least six months to contest a decision.
    "APPEAL_WINDOW_DAYS": int(os.environ.get("TRUSTOPS_APPEAL_WINDOW_DAYS", "183")),
    "APPEALS_QUEUE": os.environ.get("TRUSTOPS_APPEALS_QUEUE", "appeals"),
    "MERCHANT_REVIEW_QUEUE": os.environ.get("TRUSTOPS_MERCHANT_REVIEW_QUEUE", "merchants"),
    "MERCHANT_RETENTION_DAYS": 5 * 365,   # what a closed merchant's records are kept for
    "BULK_DECISION_MAX": 500,
    # Roles that must confirm a TOTP code after their password (DESIGN §5: privileged roles).
    "TOTP_ROLES": ["admin", "team_lead"],
    # Claiming runs as prepared statements on PostgreSQL (kernel/database.py); 0 behind an old PgBouncer.
    "PREPARED_STATEMENTS": os.environ.get("TRUSTOPS_PREPARED_STATEMENTS", "1") not in ("0", "false", "no"),
    # The EU DSA Transparency Database (statements of reasons); without an endpoint nothing is sent.
    "DSA_ENDPOINT": os.environ.get("TRUSTOPS_DSA_ENDPOINT", "").rstrip("/"),
    "DSA_TOKEN": os.environ.get("TRUSTOPS_DSA_TOKEN", ""),
    "DSA_TIMEOUT_SECONDS": float(os.environ.get("TRUSTOPS_DSA_TIMEOUT_SECONDS", "10")),
    # The support desk: the secret the engineering tracker signs its webhooks with (empty refuses them all),
    # the hour (UTC) the daily report is generated, and the hours (UTC) shifts change.
    "SUPPORT_ENGINEERING_SECRET": os.environ.get("TRUSTOPS_SUPPORT_ENGINEERING_SECRET", ""),
    "SUPPORT_DAILY_REPORT_HOUR": int(os.environ.get("TRUSTOPS_SUPPORT_DAILY_REPORT_HOUR", "6")),
    "SUPPORT_SHIFT_HOURS": [int(h) for h in os.environ.get("TRUSTOPS_SUPPORT_SHIFT_HOURS", "6,14,22").split(",")],
}
