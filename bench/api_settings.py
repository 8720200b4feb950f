"""Settings for the API benchmark: the dev settings, the bench URLs (with the bare view),
no throttling in the way, quiet logs. Select the database with CLAIMTRACK_EMBEDDED_DB."""

from config.settings.dev import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.api_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"token": "100000000/minute", "anon": "100000000/minute"},
}
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
