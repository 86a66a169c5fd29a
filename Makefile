# The two commands a newcomer types: `make demo` and `make test`.
# Both set up what is missing first (idempotent, heavy outputs cached under ~/.cache/fedstr).
.PHONY: setup demo test typecheck

setup:
	bash scripts/setup.sh

demo: setup
	npm run demo

# The tests also need what only they use (setup.sh --test: a stock Kubo node, Chromium, anchor-cli,
# rustfmt and clippy); the demo does not.
test:
	bash scripts/setup.sh --test
	bash scripts/check-program.sh
	npm run typecheck
	npm test
