# fachtag — see README.md. `make run` and `make test` work on a fresh machine
# with Go and the PostgreSQL server binaries installed.
GO      ?= go
BIN     := bin/fachtag
PKGS    := ./...

.PHONY: run test bench build vet clean

build:
	$(GO) build -o $(BIN) ./cmd/fachtag

# Throwaway Postgres (unless DATABASE_URL is set), migrations, demo events,
# mail viewer and server; Ctrl-C stops and removes everything.
run: build
	deploy/run.sh

# Every test against a throwaway Postgres, with the race detector.
test:
	deploy/with-postgres.sh $(GO) test -race -count=1 -timeout 20m $(PKGS)

# Load benchmark (HTTP sign-ups vs. bare pgbench) and the Go benchmarks.
bench: build
	PG_DURABLE=1 deploy/with-postgres.sh $(BIN) bench
	deploy/with-postgres.sh $(GO) test -run '^$$' -bench . -benchmem -cpu 1 ./internal/allocation/ ./internal/mail/

vet:
	$(GO) vet $(PKGS)

clean:
	rm -rf bin .cache screenshots
