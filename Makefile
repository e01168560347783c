# make book   - create .venv, install everything, build the executed HTML book
# make test   - same bootstrap, then lint and the whole test suite (includes the book build)
# make lint   - ruff, mypy --strict and the docstring examples, at zero findings
# make pdf    - the book as one PDF (_build/html/dsscale.pdf), via headless Chromium
# make grade  - grade your exercises (CHAPTER=ch01 to pick one)
# make bench  - side-by-side performance ratios
# make campaign - 1000-seed fault campaigns: safe protocols pass, unsafe ones are caught
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.dsscale-installed
export RAY_USAGE_STATS_ENABLED ?= 0
export PIP_DISABLE_PIP_VERSION_CHECK ?= 1

.PHONY: book pdf test test-fast lint grade exercises bench campaign clean

SAFE_PROTOCOLS   := pb-sync chain abd quorum raft raft-lease raft-lazy-noop \
                    raft-membership pb-sync-raftconf chain-raftconf
UNSAFE_PROTOCOLS := pb-async abd-no-writeback quorum-partial quorum-sloppy \
                    raft-read-any pb-async-raftconf
# caught only by their targeted campaign (dsscale faults --nemesis)
TARGETED_PROTOCOLS := raft-forget-vote raft-figure8 raft-lease-no-drift \
                      chain-raftconf-no-lease-wait chain-raftconf-office-wait
SEEDS ?= 1000
LINT_PATHS ?= src tests benchmarks exercises book/_ext
WORKLOAD ?= unique
REPLICAS ?= 3
CAMPAIGN_ARGS = --seeds $(SEEDS) --workload $(WORKLOAD) --replicas $(REPLICAS)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

book: $(STAMP)
	env -u MPLBACKEND $(BIN)/jupyter-book build . -W --keep-going
	@echo
	@echo "The book is built. Open it (no network needed):"
	@echo "    file://$(CURDIR)/_build/html/index.html"

# The book is built first, alone, so that the pages that time Ray see free cores
# and assert their speedups; the rest of the suite then runs on two workers.
# the whole book as one PDF, printed offline by headless Chromium from the built HTML
pdf: book
	$(BIN)/python book/_ext/make_pdf.py --out _build/html/dsscale.pdf

test: lint
	$(BIN)/python -m pytest -m "book or browser"
	$(BIN)/python -m pytest -m "not book and not browser" -n 2 --dist loadgroup

# ruff (the configured rules), mypy --strict on the package, and every
# docstring example, each at zero findings
lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/mypy --strict src/dsscale
	$(BIN)/python -m pytest -q -p no:cacheprovider --doctest-modules src/dsscale

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not book and not browser and not ray and not slow"

grade: $(STAMP)
	$(BIN)/dsscale grade $(CHAPTER)

exercises: $(STAMP)
	$(BIN)/dsscale release stubs

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

campaign: $(STAMP)
	@mkdir -p _build/campaign
	@for p in $(SAFE_PROTOCOLS); do \
	  echo "== $$p: $(SEEDS) seeds, must find no violation"; \
	  $(BIN)/dsscale faults $$p $(CAMPAIGN_ARGS) --json _build/campaign/$$p.json || exit 1; \
	done
	@for p in $(UNSAFE_PROTOCOLS); do \
	  echo "== $$p: $(SEEDS) seeds, must be caught"; \
	  $(BIN)/dsscale faults $$p $(CAMPAIGN_ARGS) --json _build/campaign/$$p.json; \
	  test $$? -eq 1 || { echo "$$p was not caught"; exit 1; }; \
	done
	@for p in $(TARGETED_PROTOCOLS); do \
	  echo "== $$p: $(SEEDS) seeds of its targeted campaign, must be caught"; \
	  $(BIN)/dsscale faults $$p --nemesis --seeds $(SEEDS) --json _build/campaign/$$p.json; \
	  test $$? -eq 1 || { echo "$$p was not caught"; exit 1; }; \
	done

clean:
	rm -rf _build .pytest_cache .hypothesis
