# The two commands a newcomer types: `make demo` and `make test`.
# Both set up what is missing first (idempotent, heavy outputs cached under ~/.cache/fedstr).
.PHONY: setup demo test typecheck

setup:
	bash scripts/setup.sh

demo: setup
	npm run demo

test: setup
	bash scripts/check-program.sh
	npm run typecheck
	npm test
