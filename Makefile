# socialroi — build, test and run targets. Every target passes the
# duckdb_arrow build tag: duckdb-go's Arrow interface is behind it.
GO        ?= go
TAGS      := duckdb_arrow
GOFLAGS   := -tags=$(TAGS)
BIN       := bin/socialroi
OUT       ?= out

.PHONY: all build demo test test-race bench lint tidy-check fuzz clean

all: build

build:
	$(GO) build $(GOFLAGS) -o $(BIN) ./cmd/socialroi

## demo: run the whole pipeline offline on the embedded emulators and
## generated data; writes $(OUT)/socialroi_<week>.xlsx, Parquet and the manifest.
demo: build
	./$(BIN) demo --out $(OUT)

## test: every test, including the end-to-end demo test.
test:
	$(GO) test $(GOFLAGS) -count=1 ./...

test-race:
	$(GO) test $(GOFLAGS) -race -count=1 ./...

## bench: Go benchmarks (decoding, Arrow building, the workbook, and
## `attribute` on 1M, 5M and 20M synthetic touchpoints), then the weekly
## pipeline's stages on generated datasets (BENCH_SCALES, default M,L), each
## run a `socialroi run` process: the weeks before the last into a fresh
## warehouse, the last week, then a retry. Seconds, rows/s and peak RSS per
## stage, appended to bench/results.json. To compare two commits fairly on a
## noisy machine: go run -tags=duckdb_arrow ./bench -scales L -ab BASE.
## SOCIALROI_BENCH_MAX=1000000 keeps `attribute` to the 1M case.
BENCH_SCALES ?= M,L
bench:
	$(GO) test $(GOFLAGS) -run '^$$' -bench . -benchmem -timeout 60m ./...
	$(GO) run $(GOFLAGS) ./bench -scales $(BENCH_SCALES)

lint:
	$(GO) vet $(GOFLAGS) ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

## tidy-check: fails when go.mod/go.sum are not tidy.
tidy-check:
	$(GO) mod tidy -diff

fuzz:
	$(GO) test $(GOFLAGS) -run '^$$' -fuzz FuzzCSV -fuzztime 30s ./extract/files

clean:
	rm -rf bin $(OUT)
