# dossier: one plain Makefile. `make deps` installs what the build and the
# tests need from Debian's packages; `make` builds build/dossier and the
# library (build/libdossier.a, build/libdossier.so); `make check` runs every
# test, then the whole suite again under ASan and UBSan; `make install`
# honours PREFIX and DESTDIR.

CC ?= cc
PKGS := libxml-2.0 libxslt jansson libpcre2-8 libutf8proc
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -lcsv -pthread
WARN := -Wall -Wextra -Wpedantic -Werror
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -pthread $(WARN) $(PKG_CFLAGS) $(CFLAGS)
# Library objects serve the shared library too: position-independent, and only
# what dossier.h marks DSR_API is exported.
LIB_CFLAGS := -fPIC -fvisibility=hidden
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Debian packages for the build (BUILD_PKGS: `make deps-build`, which the
# GitHub Action runs), the tests (second line), and the tools `make bench`
# measures against and `make fuzz` builds with (third).
BUILD_PKGS := gcc make pkg-config libxml2-dev libxslt1-dev libjansson-dev libcsv-dev \
	libpcre2-dev libutf8proc-dev
DEB_PKGS := $(BUILD_PKGS) \
	libxml2-utils diffutils valgrind python3 python3-yaml clang-format man-db binutils zsh \
	time jq bc miller csvkit python3-jsonschema clang libclang-rt-14-dev nodejs

SRC := $(wildcard convert/*.c)
LIB_SRC := $(filter-out convert/cli.c convert/cli_%.c,$(SRC))
OBJ := $(SRC:convert/%.c=build/obj/%.o) build/obj/schemas.o
SAN_OBJ := $(SRC:convert/%.c=build/san/%.o) build/san/schemas.o
SAN_LIB_OBJ := $(LIB_SRC:convert/%.c=build/san/%.o) build/san/schemas.o
LIB_OBJ := $(LIB_SRC:convert/%.c=build/obj/%.o) build/obj/schemas.o
UNIT_SRC := $(wildcard tests/unit_*.c)
UNITS := $(UNIT_SRC:tests/%.c=build/tests/%)

# The library's ABI version is the soname's number; the file carries the release.
VERSION := $(shell sed -n 's/^\#define DSR_VERSION "\(.*\)"/\1/p' convert/dossier.h)
SOMAJOR := 0
SONAME := libdossier.so.$(SOMAJOR)
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
INCLUDEDIR = $(PREFIX)/include
LIBDIR = $(PREFIX)/lib
MANDIR = $(PREFIX)/share/man
PCDIR = $(LIBDIR)/pkgconfig
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
LIBRARIES := build/libdossier.a build/$(SONAME) build/libdossier.so build/dossier.pc

.PHONY: all deps deps-build bench-peers check check-valgrind format-check bench fuzz clean install uninstall
all: build/dossier $(LIBRARIES) $(UNITS)

deps: WANTED = $(DEB_PKGS)
deps-build: WANTED = $(BUILD_PKGS)
deps deps-build:
	@missing=""; for p in $(WANTED); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		echo "installing:$$missing"; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all installed"; fi
	@[ "$@" != deps ] || $(MAKE) --no-print-directory bench-peers

# The npm peers make bench measures (ajv 8), as pinned by bench/peers/package-lock.json.
bench-peers: bench/peers/package.json bench/peers/package-lock.json
	@if ! command -v npm > /dev/null; then echo "deps: no npm here: make bench leaves out the ajv rows"; \
	elif mkdir -p build/npm && cp bench/peers/package.json bench/peers/package-lock.json build/npm/ && \
		(cd build/npm && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error > /dev/null); then \
		echo "deps: ajv $$(cd build/npm && node -p 'require("./node_modules/ajv/package.json").version') for make bench"; \
	else echo "deps: npm ci failed: make bench leaves out the ajv rows"; fi

build/obj/%.o: convert/%.c $(wildcard convert/*.h) | build/obj
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -c -o $@ $<
build/san/%.o: convert/%.c $(wildcard convert/*.h) | build/san
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

# The dataset schemas are built into the binary: validation needs no install path.
SCHEMAS := xsd:schemas/dossier.xsd json:schemas/dossier.schema.json \
	ofac:schemas/sdn_advanced.xsd
build/gen/schemas.c: $(foreach s,$(SCHEMAS),$(lastword $(subst :, ,$(s)))) | build/gen
	{ echo '#include <stddef.h>'; for s in $(SCHEMAS); do n=$${s%%:*}; f=$${s#*:}; \
	  echo "const unsigned char dsr_schema_$$n[] = {"; \
	  od -An -v -tx1 "$$f" | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; echo '0x00};'; \
	  echo "const size_t dsr_schema_$${n}_len = $$(wc -c < "$$f");"; done; } > $@
build/obj/schemas.o: build/gen/schemas.c | build/obj
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -c -o $@ $<
build/san/schemas.o: build/gen/schemas.c | build/san
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

build/dossier: $(OBJ)
	$(CC) $(CFLAGS) -o $@ $(OBJ) $(PKG_LIBS)

build/libdossier.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $(LIB_OBJ)
build/libdossier.so.$(VERSION): $(LIB_OBJ)
	$(CC) $(CFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined -o $@ $(LIB_OBJ) $(PKG_LIBS)
build/$(SONAME): build/libdossier.so.$(VERSION)
	ln -sf libdossier.so.$(VERSION) $@
build/libdossier.so: build/$(SONAME)
	ln -sf $(SONAME) $@

# pkg-config: jansson is public (dossier.h uses json_t); the rest is private.
build/dossier.pc: Makefile convert/dossier.h | build/obj
	printf '%s\n' 'prefix=$(PREFIX)' 'includedir=$${prefix}/include' 'libdir=$(LIBDIR)' '' \
	  'Name: dossier' 'Description: validate, convert and normalise record datasets' \
	  'Version: $(VERSION)' 'Requires: jansson' \
	  'Requires.private: $(filter-out jansson,$(PKGS))' 'Libs: -L$${libdir} -ldossier' \
	  'Libs.private: -lcsv -pthread' 'Cflags: -I$${includedir}' > $@

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) \
	  $(DESTDIR)$(PCDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 build/dossier $(DESTDIR)$(BINDIR)/dossier
	install -m 644 convert/dossier.h $(DESTDIR)$(INCLUDEDIR)/dossier.h
	install -m 644 build/libdossier.a $(DESTDIR)$(LIBDIR)/libdossier.a
	install -m 755 build/libdossier.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libdossier.so.$(VERSION)
	ln -sf libdossier.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libdossier.so
	install -m 644 build/dossier.pc $(DESTDIR)$(PCDIR)/dossier.pc
	install -m 644 doc/dossier.1 $(DESTDIR)$(MANDIR)/man1/dossier.1
	install -m 644 completions/dossier.bash $(DESTDIR)$(BASHCOMPDIR)/dossier
	install -m 644 completions/_dossier $(DESTDIR)$(ZSHCOMPDIR)/_dossier

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/dossier $(DESTDIR)$(INCLUDEDIR)/dossier.h \
	  $(DESTDIR)$(LIBDIR)/libdossier.a $(DESTDIR)$(LIBDIR)/libdossier.so.$(VERSION) \
	  $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libdossier.so \
	  $(DESTDIR)$(PCDIR)/dossier.pc $(DESTDIR)$(MANDIR)/man1/dossier.1 \
	  $(DESTDIR)$(BASHCOMPDIR)/dossier $(DESTDIR)$(ZSHCOMPDIR)/_dossier
build/san/dossier: $(SAN_OBJ)
	$(CC) $(SAN_FLAGS) -o $@ $(SAN_OBJ) $(PKG_LIBS)

build/tests/unit_%: tests/unit_%.c tests/unit.h $(LIB_OBJ) $(wildcard convert/*.h) | build/tests
	$(CC) $(ALL_CFLAGS) -Iconvert -o $@ $< $(LIB_OBJ) $(PKG_LIBS)

# ThreadSanitizer, for the -j workers (tests/threads.sh).
build/tsan/dossier: $(SRC) build/gen/schemas.c $(wildcard convert/*.h) | build/tsan
	$(CC) $(ALL_CFLAGS) -O1 -g -fsanitize=thread -Iconvert -o $@ $(SRC) build/gen/schemas.c \
		$(PKG_LIBS)

# The scans that take sixteen or 64 bytes at a time with SSE2 fall back to
# eight or one elsewhere (ARM, say): the library built as if without SSE2,
# for the unit tests that check those scans.
PORTABLE_LIB_OBJ := $(LIB_SRC:convert/%.c=build/portable/%.o) build/portable/schemas.o
PORTABLE_UNITS := $(addprefix build/portable/unit_,utf8 nfc json_extent json_record)
.SECONDARY: $(PORTABLE_LIB_OBJ)
build/portable/%.o: convert/%.c $(wildcard convert/*.h) | build/portable
	$(CC) $(ALL_CFLAGS) -U__SSE2__ -c -o $@ $<
build/portable/schemas.o: build/gen/schemas.c | build/portable
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
build/portable/unit_%: tests/unit_%.c tests/unit.h $(PORTABLE_LIB_OBJ) | build/portable
	$(CC) $(ALL_CFLAGS) -U__SSE2__ -Iconvert -o $@ $< $(PORTABLE_LIB_OBJ) $(PKG_LIBS)

# The fuzz corpus replayed under AddressSanitizer and UBSan too.
build/san/unit_fuzz_replay: tests/unit_fuzz_replay.c tests/fuzz_read.c $(SAN_LIB_OBJ) \
		$(wildcard convert/*.h) | build/san
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Iconvert -o $@ $< $(SAN_LIB_OBJ) $(PKG_LIBS)

build/obj build/san build/tsan build/portable build/tests build/gen:
	mkdir -p $@

# The layout .clang-format describes; jschema_meta.c is generated (schemas/meta/embed.sh).
FORMATTED := $(filter-out convert/jschema_meta.c,$(wildcard convert/*.c convert/*.h tests/*.c tests/*.h))
format-check:
	clang-format --dry-run --Werror $(FORMATTED)

check: all build/san/dossier build/san/unit_fuzz_replay build/tsan/dossier $(PORTABLE_UNITS) \
		format-check
	tests/run.sh build/dossier
	@for unit in $(PORTABLE_UNITS); do $$unit > $$unit.log || { grep -v '^ok' $$unit.log; exit 1; }; done
	@echo "byte scans without SSE2: $(words $(PORTABLE_UNITS)) unit tests passed"
	ASAN_OPTIONS=detect_leaks=1 tests/run.sh build/san/dossier
	bash tests/threads.sh build/tsan/dossier
	@ASAN_OPTIONS=detect_leaks=1 build/san/unit_fuzz_replay > build/san/replay.log || \
		{ grep -v '^ok' build/san/replay.log; exit 1; }
	@echo "fuzz corpus under ASan and UBSan: $$(grep -c '^ok' build/san/replay.log) passed"

check-valgrind: all
	DOSSIER_WRAP="valgrind -q --leak-check=full --error-exitcode=1" tests/run.sh build/dossier

# libFuzzer on the readers, OFAC's CSV files and XML (modes 160-169), alias
# lists, read-write-read round trips, JSON Schemas and XSDs with instances,
# and fields past 64 KiB (clang): FUZZ_SECONDS per run, seeds from fixtures/
# and tests/fuzz/ (the corpus make check replays). Each target runs on its
# own for FUZZ_SECONDS; FUZZ_TARGETS picks some. Up to 4 GB of memory: libxml2's
# XSD check appends a field's text piece by piece (xmlStrncat), which under
# ASan's quarantine holds about 3 GB for a 100 KB field full of entities.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= readers ofac xsd schema big-field round-trip aliases
build/fuzz_read: tests/fuzz_read.c $(LIB_SRC) build/gen/schemas.c $(wildcard convert/*.h)
	clang -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fsanitize=fuzzer,address,undefined \
		$(PKG_CFLAGS) -Iconvert -o $@ tests/fuzz_read.c $(LIB_SRC) build/gen/schemas.c $(PKG_LIBS)
fuzz: build/fuzz_read
	rm -rf build/fuzz-corpus && mkdir -p build/fuzz-corpus
	n=0; for f in fixtures/article/article.xml fixtures/article/article.json \
		fixtures/article/article.jsonl fixtures/article/csv/entities.csv fixtures/invalid/* \
		fixtures/hostile/* tests/aliases/input.txt; do \
		case $$f in *.xml) p=0;; *.json) p=1;; *.jsonl) p=2;; *.csv) p=8;; *.txt) p=251;; *) continue;; esac; \
		n=$$((n + 1)); { printf "\\$$(printf %o $$p)"; cat "$$f"; } > build/fuzz-corpus/seed$$n; \
	done
	for s in 232:fixtures/article/article.xml 201:fixtures/article/article.json \
		218:fixtures/article/article.jsonl; do \
		{ printf "\\$$(printf %o $${s%%:*})"; cat "$${s#*:}"; } > build/fuzz-corpus/trip-$${s%%:*}; \
	done
	cp tests/fuzz/* build/fuzz-corpus/
	for t in $(FUZZ_TARGETS); do \
		echo "fuzz target $$t: $(FUZZ_SECONDS) s"; \
		FUZZ_TARGET=$$t build/fuzz_read -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
			-timeout=10 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix=build/ \
			build/fuzz-corpus \
			> build/fuzz-$$t.log 2>&1 || \
			{ tail -n 40 build/fuzz-$$t.log; exit 1; }; \
		grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' build/fuzz-$$t.log; \
	done

# Figures, not tests: each bench/*.sh prints its measurements side by side
# with the tools users would otherwise pick.
bench: all
	bash bench/compare.sh
	bash bench/aliases.sh
	bash bench/scale.sh

clean:
	rm -rf build
