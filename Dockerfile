# One image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN useradd --create-home --uid 1000 servicedesk
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=servicedesk:servicedesk . .
# collectstatic needs settings that import cleanly: a throwaway key, DEBUG off.
RUN SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret DEBUG=0 ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput --verbosity 0 \
 && mkdir -p /app/var/media && chown -R servicedesk:servicedesk /app/var

USER servicedesk
EXPOSE 8000
CMD ["gunicorn", "servicedesk.wsgi", "--bind", "0.0.0.0:8000", "--workers", "5", "--access-logfile", "-"]
