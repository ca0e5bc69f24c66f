# The two front-door commands: `make demo` and `make test` (the one .ci/run calls).
SWIFT ?= swift
MIZAN := .build/debug/mizan

.PHONY: demo test build deps templates completions bench clean

## demo: generate the bookshop kernel into ./generated and show what was written
demo: deps build
	$(MIZAN) codegen --schema Examples/bookshop/mizan-schema.json --output generated

## test: every test — Swift (unit, golden, CLI, OpenAPI), node (kernel runtime, generated kernel), JSON Schemas,
##       OpenAPI exported from a Django app (DRF + drf-spectacular, django-ninja) through mizan and tsc --strict,
##       and the bookshop end to end: real Django, mizan dev in front, the generated kernel under node
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	MIZAN_BIN=$(CURDIR)/$(MIZAN) node --test Tests/kernel/
	python3 Tests/schema/check_json_schemas.py
	Scripts/check-django-openapi.sh $(CURDIR)/$(MIZAN)
	Scripts/bookshop-e2e.sh $(CURDIR)/$(MIZAN)
	Scripts/bookshop-tutorial.sh

build:
	$(SWIFT) build --product mizan

deps:
	@Scripts/install-deps.sh

## templates: re-embed Templates/ into the binary after editing a template
templates:
	python3 Scripts/embed-templates.py

## completions: regenerate the committed shell completions from the argument parser
completions: build
	$(MIZAN) --generate-completion-script bash > completions/mizan.bash
	$(MIZAN) --generate-completion-script zsh > completions/_mizan
	$(MIZAN) --generate-completion-script fish > completions/mizan.fish

## bench: codegen benchmark (release build); writes BENCHMARKS.md
bench:
	Benchmarks/codegen/run.sh

clean:
	rm -rf .build generated
