# make install [PREFIX=/usr/local] [DESTDIR=]: builds the static release (stripped: -Xlinker -s, 17 MB instead of 31) and installs the binaries, the man pages
# and the completion scripts at their standard places. make uninstall removes exactly those files.
PREFIX ?= /usr/local
DESTDIR ?=
SWIFT ?= swift
SCRATCH ?= .build-static

bindir := $(DESTDIR)$(PREFIX)/bin
mandir := $(DESTDIR)$(PREFIX)/share/man/man1
bashdir := $(DESTDIR)$(PREFIX)/share/bash-completion/completions
zshdir := $(DESTDIR)$(PREFIX)/share/zsh/site-functions
fishdir := $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d

INSTALLED := $(bindir)/dashscope $(bindir)/dashscope-mock $(mandir)/dashscope.1 $(mandir)/dashscope-mock.1 \
	$(bashdir)/dashscope $(zshdir)/_dashscope $(fishdir)/dashscope.fish

.PHONY: all build install uninstall

all: build

build:
	$(SWIFT) build -c release --static-swift-stdlib -Xlinker -s --scratch-path $(SCRATCH) --product dashscope
	$(SWIFT) build -c release --static-swift-stdlib -Xlinker -s --scratch-path $(SCRATCH) --product dashscope-mock

install: build
	install -d $(bindir) $(mandir) $(bashdir) $(zshdir) $(fishdir)
	install -m 755 $(SCRATCH)/release/dashscope $(SCRATCH)/release/dashscope-mock $(bindir)/
	install -m 644 man/dashscope.1 $(mandir)/dashscope.1
	install -m 644 man/dashscope-mock.1 $(mandir)/dashscope-mock.1
	install -m 644 completions/dashscope.bash $(bashdir)/dashscope
	install -m 644 completions/_dashscope $(zshdir)/_dashscope
	install -m 644 completions/dashscope.fish $(fishdir)/dashscope.fish

uninstall:
	rm -f $(INSTALLED)
