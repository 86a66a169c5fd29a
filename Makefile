# The two commands a newcomer types: `make demo` and `make test`.
# Both set up what is missing first (idempotent, heavy outputs cached under ~/.cache/fedstr);
# `make test` also builds anchor-cli once, for the suite's `anchor test` check.
.PHONY: setup setup-test demo test typecheck

setup:
	bash scripts/setup.sh

setup-test:
	bash scripts/setup.sh --anchor

demo: setup
	npm run demo

test: setup-test
	npm run typecheck
	npm test
