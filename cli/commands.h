/* commands.h: the table of subcommands: name, usage lines, one-line summary and description.
 *
 * COMMAND(name, word, usage, summary, description) runs `int cmd_NAME(cli *c)` (in cli/cmd_NAME.c)
 * when WORD is given on the command line; it returns a VSOLVE_* status. Adding a subcommand: write cli/cmd_NAME.c, add one row
 * here, and add ON(NAME) to the scope of the options it takes (cli/options.h). */
#ifndef VSOLVE_CLI_COMMANDS_H
#define VSOLVE_CLI_COMMANDS_H

#define VSOLVE_COMMANDS(COMMAND)                                                                           \
    COMMAND(solve, "solve",                                                                                \
            "vsolve --ecosystem opam --repo PATH [options] solve ATOM...\n"                                \
            "vsolve --ecosystem cudf --repo FILE.cudf[.gz] [options] solve\n"                              \
            "vsolve --ecosystem cargo --index PATH solve --manifest Cargo.toml [--lock Cargo.lock]\n"      \
            "       [--features F,G] [--no-default-features] [--source-url URL]\n"                         \
            "vsolve --ecosystem npm --registry DIR solve --manifest package.json\n"                        \
            "       [--lock package-lock.json] [--registry-url URL] [--node VERSION] [--npm VERSION]\n",   \
            "solve a request and print the chosen packages",                                               \
            "opam: solves a request against an opam repository (a directory with packages/, or a\n"        \
            ".tar.gz of one) and prints the chosen packages as NAME.VERSION lines, sorted.\n"              \
            "cudf: solve takes no atoms: it solves the CUDF document's own request and prints a\n"         \
            "CUDF solution (a package/version/installed stanza per package, or FAIL).\n"                   \
            "cargo: resolves a Rust package against a crates index (directory or .tar.gz); writes\n"       \
            "the Cargo.lock to --lock (keeping the versions of an existing one where they still\n"         \
            "fit), or to standard output; --format json prints the chosen crates instead.\n"               \
            "npm: builds npm's node_modules tree from packuments (DIR/packuments/NAME.json, or a\n"        \
            ".tar.gz) and writes the package-lock.json (v3) to --lock, or to standard output;\n"           \
            "--format json prints the entries instead (the reason is the node_modules path).\n"            \
            "\n"                                                                                           \
            "ATOM: NAME | NAME.VERSION | NAME<op>VERSION with <op> one of = != < <= > >=\n"                \
            "      (quote atoms with < or > in the shell; several atoms on one name all apply)\n")         \
    COMMAND(index, "index",                                                                                \
            "vsolve --ecosystem opam --repo PATH [options] index\n"                                        \
            "vsolve --ecosystem cargo --index PATH [--cache FILE] index\n"                                 \
            "vsolve --ecosystem npm --registry DIR [--cache FILE] index\n",                                \
            "write the universe cache of an opam repository, the image of a crates index or packuments",   \
            "index: parses the repository and writes its universe cache; later solves read the\n"          \
            "cache instead of parsing (a stale or corrupt cache is detected and rebuilt).\n"               \
            "cargo: parses every crate file of the index once and writes its registry image; later\n"     \
            "solves read the crates they reach from it (a stale or corrupt image is detected, the\n"      \
            "index read instead, and the image rebuilt).\n"                                               \
            "npm: checks every packument of the directory once and writes its registry image (what\n"     \
            "resolution and the lock read, indexed); later solves read the packuments and versions\n"     \
            "they reach from it (a stale or corrupt image is detected, the JSON read instead, and\n"      \
            "the image rebuilt).\n")                                                                      \
    COMMAND(sweep, "sweep",                                                                                \
            "vsolve --ecosystem opam --repo PATH [options] sweep [--jobs N]\n",                            \
            "check that every package version can be installed",                                           \
            "sweep: checks that every package version can be installed (on N threads), lists the\n"        \
            "ones that cannot with the reason, and ends with a summary by reason.\n")                      \
    COMMAND(check, "check",                                                                                \
            "vsolve --ecosystem opam --repo PATH [options] check --solution FILE ATOM...\n",               \
            "verify a solution against a request",                                                         \
            "check: verifies a solution (NAME.VERSION lines in FILE, e.g. another solver's answer)\n"      \
            "against the request with vsolve's independent checker; exit 0 if it holds, 1 with\n"          \
            "the violations.\n")                                                                           \
    COMMAND(help, "help",                                                                                  \
            "vsolve help [COMMAND]\n",                                                                     \
            "print this text, or a command's",                                                             \
            "help: prints the usage of vsolve, or of COMMAND with the options it takes\n"                  \
            "(the same as `vsolve COMMAND --help`).\n")                                                    \
    COMMAND(lock, "lock",                                                                                  \
            "vsolve --ecosystem opam --repo PATH [--env VAR=VALUE]... lock [--provided NAME[=VERSION]]...\n" \
            "       [--provided-file FILE] [--auto-provide] [--lock OLD.opam.locked] [-o DIR] PROJECT\n",  \
            "lock an opam project for a monorepo build (.opam.locked and .lock.json)",                     \
            "lock: solves the roots of PROJECT (a directory of *.opam files, or one .opam file) under\n"   \
            "the monorepo rules (one source, one release; vendored packages build with dune; what\n"       \
            "is provided is closed downwards; the compiler and dune are provided) and writes\n"            \
            "<project>.opam.locked (opam-monorepo 0.3) and <project>.lock.json into DIR (default:\n"       \
            "the project's directory), each whole or not at all. A refusal writes nothing.\n")             \
    COMMAND(dune_rename, "dune-rename",                                                                    \
            "vsolve dune-rename --copy-version VERSION [--dependent DIR]... COPY_DIR\n"                    \
            "vsolve dune-rename --lock LOCK.json [-o PROJECT_DIR]\n",                                      \
            "rename a duplicated copy so that two versions link (--duplicates)",                           \
            "dune-rename: renames the unpacked copy of a duplicated package (--duplicates) to\n"           \
            "NAME_vVERSION so that it links beside the other version, and points the dependents\n"         \
            "that use it at the copy; with --lock, every copy a JSON lock names, in\n"                     \
            "PROJECT_DIR/duniverse (what pull runs).\n")                                                   \
    COMMAND(pull, "pull",                                                                                  \
            "vsolve pull [--download-cache DIR]... [--jobs N] [--offline] LOCK [-o PROJECT_DIR]\n",        \
            "vendor a lock's sources into duniverse/ (the dune backend)",                                  \
            "pull: reads a <project>.lock.json or <project>.opam.locked and fills PROJECT_DIR/duniverse/\n" \
            "(default: the lock's directory) with one directory per source, each archive verified\n"       \
            "against every checksum of the lock before it is unpacked. Archives come from the\n"           \
            "--download-cache directories (opam's layout <md5|sha256|sha512>/<2 hex>/<hash>), then\n"      \
            "$OPAMROOT/download-cache, then vsolve's own cache, where fetched archives are stored.\n"      \
            "The new duniverse replaces the old one in one rename; a failed pull leaves it intact.\n")     \
    COMMAND(nix_preseed, "nix-preseed",                                                                    \
            "vsolve nix-preseed [--download-cache DIR]... [--nix-store PROG] LOCK.json\n",                 \
            "add a lock's archives to the Nix store (offline Nix builds)",                                 \
            "nix-preseed: adds every archive the lock names, verified, to the Nix store under the\n"       \
            "path <nix/fetchurl.nix> computes for it (nix-store --add-fixed ALGO <url's base name>),\n"    \
            "so that nix/build.nix fetches nothing. Never fetches.\n")

#endif
