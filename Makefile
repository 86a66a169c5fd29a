# The two commands a newcomer types: `make demo` and `make test`.
# Both set up what is missing first (idempotent, heavy outputs cached under ~/.cache/fedstr);
# `make test` also sets up what only the tests use (setup.sh --test: rustfmt and clippy, chromium,
# a stock Kubo node, anchor-cli), lints the program, checks the TypeScript's format and lint
# (Biome: `npm run lint`; `npm run format` fixes the format) and typechecks.
# Every recipe runs on the Node in .node-version (scripts/node.sh: the machine's when it is recent
# enough, else the one the set-up installs into ~/.cache/fedstr/node), native modules built against
# its headers.
NODE_PREFIX := $(shell bash scripts/node.sh prefix)
export PATH := $(NODE_PREFIX)/bin:$(PATH)
ifneq ($(wildcard $(NODE_PREFIX)/include/node/common.gypi),)
export npm_config_nodedir := $(NODE_PREFIX)
endif

.PHONY: setup setup-test demo test typecheck

setup:
	bash scripts/setup.sh

setup-test:
	bash scripts/setup.sh --test

demo: setup
	npm run demo

test: setup-test
	bash scripts/check-program.sh
	npm run lint
	npm run typecheck
	npm test
