/* options.h: the one table of command-line options; it generates the option struct, the
 * defaults, the parser's range and choice checks and the option lines of `--help`.
 *
 * OPTION(field, name, letter, kind, ARG, default, min, max, scope, help)
 *   field    the member of cli_options that holds the value
 *   name     the long name: --name VALUE or --name=VALUE
 *   letter   a one-letter alias (-h), or 0
 *   kind     FLAG (int, 1 when given; takes no value, except a FLAG whose ARG is "[=WORD]":
 *            --name=WORD sets it to 2), INT (int in [min, max]), STR (a string),
 *            CHOICE (a string among ARG's |-separated words), LIST (repeatable: every value kept)
 *   ARG      what the value is called in --help (for CHOICE: the choices), "" for a FLAG
 *   default  the value when the option is absent (int for FLAG/INT, string or NULL otherwise)
 *   scope    ALL, or the commands that take it: ON(solve) | ON(check)
 *   help     one line (or more, separated by \n) for --help
 * Options go before or after the subcommand; an option given to a command outside its scope is
 * a usage error. Adding an option: one row here; the command reads c->opt.FIELD. */
#ifndef VSOLVE_CLI_OPTIONS_H
#define VSOLVE_CLI_OPTIONS_H

#define VSOLVE_OPTIONS(OPTION)                                                                             \
    OPTION(ecosystem, "ecosystem", 0, CHOICE, "opam|cudf|cargo|npm", NULL, 0, 0, ALL,                      \
           "the ecosystem: opam, cudf (a CUDF 2.0 document), cargo or npm")                                \
    OPTION(repo, "repo", 0, STR, "PATH", NULL, 0, 0, ALL,                                                  \
           "opam repository directory or .tar.gz; a CUDF file")                                            \
    OPTION(index, "index", 0, STR, "PATH", NULL, 0, 0, ALL, "cargo: crates index directory or .tar.gz")    \
    OPTION(registry, "registry", 0, STR, "PATH", NULL, 0, 0, ALL, "npm: packuments directory or .tar.gz")  \
    OPTION(env, "env", 0, LIST, "VAR=VALUE", NULL, 0, 0, ALL,                                              \
           "set an opam variable (os, arch, os-distribution, os-version,\n"                                \
           "with-test, with-doc, ...); repeatable; overrides host detection")                              \
    OPTION(preference, "preference", 0, CHOICE, "opam|newest-first", NULL, 0, 0, ON(solve),               \
           "opam: opam 2.1's install criteria, minimised exactly (the\n"                                   \
           "default for opam); newest-first: each package as new as possible\n"                            \
           "in turn, from the request out (the default for CUDF)")                                         \
    OPTION(format, "format", 0, CHOICE, "text|json", "text", 0, 0, ALL,                                    \
           "output format; with json, errors too are JSON on stdout")                                      \
    OPTION(cache, "cache", 0, STR, "FILE", NULL, 0, 0, ALL,                                                \
           "the universe cache / registry image file (default: $VSOLVE_CACHE_DIR, else\n"                 \
           "$XDG_CACHE_HOME/vsolve, else ~/.cache/vsolve)")                                                \
    OPTION(no_cache, "no-cache", 0, FLAG, "", 0, 0, 1, ALL, "parse the repository, ignore any cache")      \
    OPTION(timeout, "timeout", 0, STR, "SECONDS", NULL, 0, 0, ON(solve),                                   \
           "stop a solve past this time (exit 3)")                                                         \
    OPTION(strict, "strict", 0, FLAG, "", 0, 0, 1, ALL,                                                    \
           "refuse a repository with a malformed opam file (default: leave\n"                              \
           "the package out, with a warning)")                                                             \
    OPTION(max_inflate, "max-inflate", 0, STR, "BYTES", NULL, 0, 0, ALL,                                   \
           "most bytes a .gz input may inflate to (default 2G; K, M, G)")                                  \
    OPTION(verbose, "verbose", 0, FLAG, "", 0, 0, 1, ALL, "report the cache and timings on stderr")        \
    OPTION(dump_testcase, "dump-testcase", 0, STR, "FILE", NULL, 0, 0, ON(solve),                          \
           "also write the request's cone and answer as a YAML test case")                                 \
    OPTION(no_fast_path, "no-fast-path", 0, FLAG, "", 0, 0, 1, ON(solve),                                  \
           "cargo: always the whole problem and the SAT solver (the same answer)")                         \
    OPTION(manifest, "manifest", 0, STR, "FILE", NULL, 0, 0, ON(solve),                                    \
           "cargo, npm: the project's Cargo.toml or package.json")                                         \
    OPTION(lock, "lock", 0, STR, "FILE", NULL, 0, 0, ON(solve) | ON(lock) | ON(dune_rename),                                \
           "cargo, npm: the lock file to read and write (default: standard output);\n"                     \
           "opam lock: an existing .opam.locked whose versions are kept where they fit")                  \
    OPTION(installed, "installed", 0, STR, "FILE", NULL, 0, 0, ON(solve),                                  \
           "opam: the switch's installed packages, NAME.VERSION lines: the answer\n"                       \
           "of `opam install ATOM...` on that switch (kept where they fit)")                               \
    OPTION(duplicates, "duplicates", 0, FLAG, "[=fast]", 0, 0, 2, ON(solve) | ON(lock),                   \
           "when no answer has one version per name, allow several versions of\n"                           \
           "packages built with dune: fewest duplicated names, then fewest copies;\n"                       \
           "=fast: a propagation-only answer when the cone has no conflict")                               \
    OPTION(single, "single", 0, LIST, "NAME", NULL, 0, 0, ON(solve) | ON(lock),                            \
           "with --duplicates: NAME keeps one version; repeatable")                                        \
    OPTION(copy_version, "copy-version", 0, STR, "VERSION", NULL, 0, 0, ON(dune_rename),                   \
           "dune-rename: the version of the copy to rename")                                               \
    OPTION(dependent, "dependent", 0, LIST, "DIR", NULL, 0, 0, ON(dune_rename),                            \
           "dune-rename: a dependent that uses the copy; repeatable")                                      \
    OPTION(provided, "provided", 0, LIST, "NAME[=VERSION]", NULL, 0, 0, ON(lock),                         \
           "lock: a package the switch or the system provides; repeatable")                                \
    OPTION(provided_file, "provided-file", 0, STR, "FILE", NULL, 0, 0, ON(lock),                           \
           "lock: provided packages, one NAME, NAME.VERSION or NAME VERSION a line")                      \
    OPTION(auto_provide, "auto-provide", 0, FLAG, "", 0, 0, 1, ON(lock),                                   \
           "lock: whatever cannot be vendored is provided, with what it needs")                       \
    OPTION(features, "features", 0, STR, "F,G", NULL, 0, 0, ON(solve), "cargo: features to enable")        \
    OPTION(git_checkout, "git-checkout", 0, LIST, "URL=PATH", NULL, 0, 0, ON(solve),                       \
           "cargo: a git dependency's local checkout (git hosts are not reached):\n"                      \
           "its Cargo.toml read in PATH, its commit from PATH/.git; repeatable")                         \
    OPTION(no_default_features, "no-default-features", 0, FLAG, "", 0, 0, 1, ON(solve),                    \
           "cargo: do not enable the default feature")                                                     \
    OPTION(source_url, "source-url", 0, STR, "URL", NULL, 0, 0, ON(solve),                                 \
           "cargo: the registry source in Cargo.lock (default crates.io)")                                 \
    OPTION(registry_url, "registry-url", 0, STR, "URL", NULL, 0, 0, ON(solve),                             \
           "npm: the registry of the lock's \"resolved\" URLs (default: none)")                            \
    OPTION(node, "node", 0, STR, "VERSION", NULL, 0, 0, ON(solve), "npm: node version for engines (default 20.20.2)") \
    OPTION(npm, "npm", 0, STR, "VERSION", NULL, 0, 0, ON(solve), "npm: npm version for engines (default 11.19.1)") \
    OPTION(legacy_peer_deps, "legacy-peer-deps", 0, FLAG, "", 0, 0, 1, ON(solve),                         \
           "npm: ignore peerDependencies, as npm's --legacy-peer-deps")                                    \
    OPTION(force, "force", 0, FLAG, "", 0, 0, 1, ON(solve),                                                \
           "npm: accept a peer conflict npm would refuse (ERESOLVE), as npm's --force")                    \
    OPTION(resolve_peers, "resolve-peers", 0, FLAG, "", 0, 0, 1, ON(solve),                               \
           "npm: where npm refuses a peer conflict (ERESOLVE), search other versions\n"                     \
           "for a tree that meets every peer and write its lock (the moved\n"                               \
           "dependencies pinned; what moved is said on stderr)")                                          \
    OPTION(omit, "omit", 0, LIST, "dev|optional|peer", NULL, 0, 0, ON(solve),                             \
           "npm: as npm's --omit, repeatable; a lock lists every dependency\n"                              \
           "(flagged), so it does not change the lock, as with npm --package-lock-only")                  \
    OPTION(jobs, "jobs", 0, INT, "N", 2, 1, 64, ON(sweep) | ON(pull),                                      \
           "threads (sweep); sources obtained and unpacked in parallel (pull)")                            \
    OPTION(download_cache, "download-cache", 0, LIST, "DIR", NULL, 0, 0, ON(pull) | ON(nix_preseed),       \
           "an archive cache in opam's layout, searched first, in order; repeatable")                      \
    OPTION(offline, "offline", 0, FLAG, "", 0, 0, 1, ON(pull), "never fetch: a source missing from the caches is an error") \
    OPTION(cross_toolchain, "cross-toolchain", 0, STR, "T", NULL, 0, 0, ON(pull),                          \
           "also write PROJECT_DIR/dune-workspace with a host context and a\n"                             \
           "cross context for findlib toolchain T (MirageOS 4's -t hvt: solo5)")                           \
    OPTION(output, "output", 'o', STR, "DIR", NULL, 0, 0, ON(pull) | ON(lock) | ON(dune_rename),                             \
           "where to write: pull, the project directory (default: the lock's);\n"                           \
           "lock, the directory of the lock files (default: the project's)") \
    OPTION(nix_store, "nix-store", 0, STR, "PROG", "nix-store", 0, 0, ON(nix_preseed), "the nix-store program")                                      \
    OPTION(solution, "solution", 0, STR, "FILE", NULL, 0, 0, ON(check),                                    \
           "the solution to check: NAME.VERSION lines")                                                    \
    OPTION(help, "help", 'h', FLAG, "", 0, 0, 1, ALL, "this text, or the command's")                       \
    OPTION(version, "version", 'V', FLAG, "", 0, 0, 1, ALL, "print the version")

#endif
