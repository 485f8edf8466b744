# The Telegram bot: `docker build -t softlift-bot .` then
# `docker run -e TELEGRAM_BOT_TOKEN=... -v softlift-data:/data softlift-bot`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite:////data/softlift.db

WORKDIR /app

# Dependencies first: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Then the source, installed without touching the dependencies again.
COPY README.md ./
COPY bot ./bot
COPY faq ./faq
RUN pip install --no-cache-dir --no-deps . \
    && rm -rf build ./*.egg-info

RUN useradd --system --create-home --uid 10001 softlift \
    && mkdir /data \
    && chown softlift /data
USER 10001
VOLUME ["/data"]
# Used only in webhook mode (SOFTLIFT_WEBHOOK_URL); long polling needs no open port.
EXPOSE 8443

CMD ["softlift-bot", "run"]
