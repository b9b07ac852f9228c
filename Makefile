# The two commands of a fresh machine: `make dev` and `make test`. Both install what they need.
SHELL := bash
VENV  ?= .venv
STAMP := $(VENV)/.installed-$(shell sha256sum infra/requirements.txt | cut -c1-12)
export NUDGE_VENV := $(abspath $(VENV))
export CARGO_TERM_COLOR ?= never

.PHONY: dev advance build test token bench venv browser openapi lint check-fmt clean

## The pinned Python side of the local cloud (moto, boto3, cfn-lint), made once per requirements change.
$(STAMP): infra/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r infra/requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

## Every target of the workspace, as `cargo test --workspace` resolves their features: the dev server and
## the token tool built this way reuse what `make test` compiled (a narrower `cargo run -p` would resolve
## features differently and rebuild the AWS SDK stack, about three minutes on these machines).
build:
	cargo build -q --workspace --all-targets

## Run the whole system locally: emulator, resources, every function on :3000, queues polled.
dev: venv build
	NUDGE_METRICS_OFF=$${NUDGE_METRICS_OFF-1} $${CARGO_TARGET_DIR:-target}/debug/devserver

## Moves the running dev server's clock forward (never back): make advance DAYS=1 (or HOURS=…, MINUTES=…).
## Delays, send times, waits and quiet hours then come due at the dev server's next journey tick.
advance:
	@curl -sf -H 'content-type: application/json' -d "{\"advanceSeconds\": $$(( $${DAYS:-0} * 86400 + $${HOURS:-0} * 3600 + $${MINUTES:-0} * 60 ))}" http://127.0.0.1:$${PORT:-3000}/_local/clock; echo

## A signed dev token alone on stdout: make token TENANT=<id> ROLE=<role>; no TENANT: platform admin.
token:
	@cargo build -q --workspace --all-targets
	@$${CARGO_TARGET_DIR:-target}/debug/token "$(TENANT)" "$(ROLE)"

## Rewrites functions/meta/openapi.json, the document the meta function serves, from the routes (make test
## fails while it differs).
openapi:
	UPDATE_OPENAPI=1 cargo test -q -p meta --lib the_served_document_is_the_generated_one || cargo test -q -p meta --lib the_served_document_is_the_generated_one

lint: venv
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	$(VENV)/bin/cfn-lint template.yaml
	$(VENV)/bin/python infra/check_template.py template.yaml

## Debian's Chromium and the pinned Playwright driver (tests/browser), for the tests of pages people see.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
browser:
	@command -v chromium >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null)
	@[ -d tests/browser/node_modules/playwright-core ] || npm ci --prefix tests/browser --no-audit --no-fund --silent

## Format, lint, and every test (unit, handler, end-to-end against an emulator the tests start, pages in
## Chromium).
test: lint browser
	cargo test --workspace

## Release builds, bootstrap sizes, cold starts and peak RSS (one core, the emulator behind TLS, a hello
## world for the floor), dev-server latency; the segment rule evaluation rate
## (criterion); then a 100,000-row worker import, a 100,000-worker segment sync and a 100,000-recipient
## SMS broadcast and a 100,000-worker programme (enrolment, then a due step each) through the emulator
## (IMPORT_BENCH_ROWS, SYNC_BENCH_WORKERS, NOTIFY_BENCH_WORKERS, JOURNEY_BENCH_WORKERS to change
## the sizes).
bench: venv
	cargo build --release -p organizations -p meta -p auth -p users -p audit -p integrations -p workers -p worker-import -p content -p media -p segments -p segment-sync --bins
	cargo build --release -p nudge-local --bin bench --bin bench_hello --bin import_bench --bin sync_bench --bin notify_bench --bin journey_bench --bin experiment_bench
	NUDGE_METRICS_OFF=1 ./target/release/bench
	cargo bench -p nudge-segments --bench rules -- --warm-up-time 1 --measurement-time 3
	NUDGE_METRICS_OFF=1 ./target/release/sync_bench
	NUDGE_METRICS_OFF=1 ./target/release/import_bench
	NUDGE_METRICS_OFF=1 ./target/release/notify_bench
	NUDGE_METRICS_OFF=1 ./target/release/journey_bench
	NUDGE_METRICS_OFF=1 ./target/release/experiment_bench

clean:
	rm -rf $(VENV) .local
	cargo clean
