# The Telegram bot: `docker build -t softlift-bot .` then
# `docker run -e TELEGRAM_BOT_TOKEN=... -v softlift-data:/data softlift-bot`.
# Both stages use one exact Python release; bump it on purpose, in both places at once.

# Stage 1 builds the bot's wheel; only the wheel leaves it.
FROM python:3.11.15-slim-bookworm AS build

WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY faq ./faq
# The image's own setuptools (pinned by the base image) builds it: nothing is downloaded.
RUN pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /wheels .

# Stage 2 is the image: the locked dependencies and the wheel, and no source tree.
FROM python:3.11.15-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite:////data/softlift.db

# Dependencies first, exactly the versions in requirements.lock (scripts/lock_requirements.py
# writes it), so two builds of one commit get the same packages; this layer is rebuilt only
# when the lock changes.
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir --no-deps --requirement /tmp/requirements.lock \
    && rm /tmp/requirements.lock

# Then the bot from its wheel; `pip check` fails the build if the lock misses a dependency.
COPY --from=build /wheels /tmp/wheels
RUN pip install --no-cache-dir --no-deps /tmp/wheels/*.whl \
    && pip check \
    && rm -rf /tmp/wheels

# An ordinary user with a fixed id (10001, for volume ownership and runAsUser); --system
# would warn that the id is outside the system range. --no-log-init keeps lastlog small.
RUN groupadd --gid 10001 softlift \
    && useradd --uid 10001 --gid softlift --no-log-init --create-home \
        --shell /usr/sbin/nologin softlift \
    && mkdir /data \
    && chown softlift:softlift /data

# Empty on purpose: `python -m bot` puts the working directory first on sys.path, so a copy of
# the sources here would shadow the installed package (and it has no bot.faq, which the wheel
# maps from the top-level faq/).
WORKDIR /app
USER 10001:10001
VOLUME ["/data"]
# Used only in webhook mode (SOFTLIFT_WEBHOOK_URL); long polling needs no open port.
EXPOSE 8443

CMD ["softlift-bot", "run"]
