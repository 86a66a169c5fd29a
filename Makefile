# The two commands a newcomer types: `make demo` and `make test`.
# Both set up what is missing first (idempotent, heavy outputs cached under ~/.cache/fedstr);
# `make test` also sets up what only the tests use (setup.sh --test: rustfmt and clippy, chromium,
# a stock Kubo node, anchor-cli), lints the program, checks the TypeScript's format and lint
# (Biome: `npm run lint`; `npm run format` fixes the format) and typechecks.
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
