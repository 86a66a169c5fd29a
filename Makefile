# The two commands a newcomer types: `make demo` and `make test`.
# Both set up what is missing first (idempotent, heavy outputs cached under ~/.cache/fedstr).
.PHONY: setup demo test typecheck

setup:
	bash scripts/setup.sh

demo: setup
	npm run demo

# The tests also need a stock Kubo node (setup.sh --test builds it; the demo does not).
test:
	bash scripts/setup.sh --test
	npm run typecheck
	npm test
