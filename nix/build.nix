# nix/build.nix: builds the root of a vsolve JSON lock (docs/lock-json.md) with dune, from the
# lock's vendored sources, without nixpkgs and without import-from-derivation.
#
#   nix-build nix/build.nix --arg lockFile ./app.lock.json --arg src ./app --arg ocamlPath /x/lib/ocaml -o result
#   result/bin/<root>
#
# Every vendored source is a fixed-output derivation through <nix/fetchurl.nix> with the lock's
# strongest checksum (sha512 > sha256 > md5), named after the URL's base name: `vsolve
# nix-preseed` puts the archives at exactly those store paths for offline machines. One
# derivation unpacks them into duniverse/ (opam's single-top-directory strip), adds
# `(vendored_dirs *)`, runs dune and installs bin/<root>.
#
# The provided packages (compiler, dune, and the libraries the lock marks `provided`) come from
# the toolchain arguments: on this Debian machine /usr plus `ocamlPath` (e.g. unpacked Debian
# packages' usr/lib/ocaml); a NixOS user passes nixpkgs' ocaml, dune and findlib derivations and
# an OCAMLPATH built from ocamlPackages (e.g. "${ocamlPackages.fmt}/lib/ocaml/${ocaml.version}/site-lib").
{ lockFile
, src
, ocamlPath ? ""            # OCAMLPATH for the provided libraries (colon-separated)
, ocaml ? "/usr"            # prefix with bin/ocamlopt, bin/ocamlc ...
, dune ? "/usr"             # prefix with bin/dune
, findlib ? "/usr"          # prefix with bin/ocamlfind
, toolsPath ? "/usr/bin:/bin"   # sh, tar, gzip, bzip2, xz, unzip, a C compiler (C stubs), coreutils
, shell ? "/bin/sh"
, system ? builtins.currentSystem
, duneArgs ? [ "--profile" "release" ]
}:
let
  lock = builtins.fromJSON (builtins.readFile lockFile);
  checkedLock =
    if !(lock ? "lock-version") || lock."lock-version" != 1
    then throw "${toString lockFile}: lock-version ${toString (lock."lock-version" or "missing")} is not known (build.nix reads version 1)"
    else if lock.roots == [ ] then throw "${toString lockFile}: no roots"
    else lock;
  root = builtins.head checkedLock.roots;

  reservedDirs = [ "dune" "dune-project" "dune-workspace" "dune-file" "dune.opam" "dune-project.opam"
                   "dune-workspace.opam" "dune-file.opam" ];
  validDir = d: builtins.match "[A-Za-z0-9][A-Za-z0-9._+-]*" d != null
    && d != "." && d != ".." && !(builtins.elem d reservedDirs);

  # "KIND=HEX" -> { kind; hex; }, the strongest one.
  parse = c: let m = builtins.match "(md5|sha256|sha512)=([0-9a-f]+)" c; in
    if m == null then throw "${toString lockFile}: bad checksum ${c}"
    else { kind = builtins.elemAt m 0; hex = builtins.elemAt m 1; };
  rank = k: if k == "sha512" then 3 else if k == "sha256" then 2 else 1;
  strongest = cs: builtins.foldl' (best: c: if best == null || rank c.kind > rank best.kind then c else best)
    null (map parse cs);

  fetchSource = s:
    let h = strongest s.checksums; in
    if !(validDir s.dir) then throw "${toString lockFile}: invalid source dir \"${s.dir}\""
    else if h == null then throw "${toString lockFile}: source ${s.dir} has no checksum"
    else {
      inherit (s) dir;
      archive = import <nix/fetchurl.nix> { url = s.url; ${h.kind} = h.hex; };
    };
  sources = map fetchSource checkedLock.sources;

  # The project without build products or a previous pull.
  cleanSrc = builtins.path {
    path = src;
    name = "${root}-src";
    filter = path: type:
      let b = baseNameOf path; in
      !(builtins.elem b [ "_build" "duniverse" ".git" ]) && builtins.match "\\.duniverse\\.new\\..*|result.*" b == null;
  };

  unpackLines = builtins.concatStringsSep "\n"
    (map (s: "unpack ${s.archive} duniverse/${s.dir}") sources);
in
derivation {
  name = root;
  inherit system;
  builder = shell;
  PATH = "${dune}/bin:${ocaml}/bin:${findlib}/bin:${toolsPath}";
  OCAMLPATH = ocamlPath;
  DUNE_ARGS = builtins.concatStringsSep " " duneArgs;
  ROOT = root;
  SRC = cleanSrc;
  args = [ "-c" ''
    set -eu
    export HOME="$TMPDIR" LC_ALL=C
    # unpack ARCHIVE DEST: extract, then strip a single top directory as opam does.
    unpack() {
      rm -rf "$TMPDIR/x" && mkdir "$TMPDIR/x"
      case "$1" in
        *.zip) unzip -q "$1" -d "$TMPDIR/x" ;;
        *) tar -xf "$1" -C "$TMPDIR/x" --no-same-owner --no-same-permissions ;;
      esac
      n=0 top=
      for e in "$TMPDIR"/x/* "$TMPDIR"/x/.[!.]* "$TMPDIR"/x/..?*; do
        if [ -e "$e" ] || [ -L "$e" ]; then n=$((n + 1)); top=$e; fi
      done
      if [ "$n" -eq 1 ] && [ -d "$top" ] && [ ! -L "$top" ]; then mv "$top" "$2"; else mv "$TMPDIR/x" "$2"; fi
    }
    cp -R "$SRC" work && chmod -R u+w work && cd work
    mkdir duniverse
    ${unpackLines}
    printf '(vendored_dirs *)\n' > duniverse/dune
    dune build --root . -j "''${NIX_BUILD_CORES:-1}" $DUNE_ARGS @install
    mkdir -p "$out/bin"
    cp "_build/install/default/bin/$ROOT" "$out/bin/$ROOT"
  '' ];
}
