#!/usr/bin/env bash
# record.sh ROOT OUT: records opam 2.1.2's answers for a switch with packages installed.
# ROOT: an OPAMROOT with an empty switch "empty" made by shared/peers/opam/setup_root.sh 2026
# (opam-repository 2026-08-22; it is copied, never modified). For each base and each case:
#   opam install --fake BASE...        (in a copy of ROOT: the "installed" set, like an old lock)
#   opam install --fake CASE_ATOMS...  (opam's builtin-mccs+glpk answer, default criteria)
# (GROUPS: which bases to record, default all) and writes OUT/BASE.installed, OUT/CASE.request, OUT/CASE.answer (`opam list -i`, as
# NAME.VERSION lines) and OUT/CASE.actions (opam's action list).
set -euo pipefail
root=${1:?usage: record.sh ROOT OUT}; out=${2:?usage: record.sh ROOT OUT}
work=$(mktemp -d /tmp/opam-installed.XXXXXX)
export OPAMSWITCH=empty OPAMYES=1 OPAMNODEPEXTS=1 OPAMCOLOR=never OPAMUTF8=never OPAMROOTISOK=1 \
       OPAMNOENVNOTICE=1 OPAMNOSELFUPGRADE=1 OPAMJOBS=1 OPAMSOLVERTIMEOUT=60
unset OPAMCRITERIA OPAMUPGRADECRITERIA OPAMFIXUPCRITERIA OPAMEXTERNALSOLVER OPAMBESTEFFORT
listing() { OPAMROOT=$1 opam list -i --short --columns=name,version | awk '{print $1 "." $2}' | sort; }
base() { # NAME ATOM...
  local name=$1; shift
  cp -a "$root" "$work/$name"
  OPAMROOT=$work/$name opam install --fake "$@" >"$work/$name.log" 2>&1
  listing "$work/$name" >"$out/$name.installed"
}
case_() { # NAME BASE ATOM...
  local name=$1 b=$2; shift 2
  cp -a "$work/$b" "$work/$name"
  printf '%s\n' "# base: $b" "$@" >"$out/$name.request"
  OPAMROOT=$work/$name opam install --fake "$@" 2>&1 | grep -E '^\s+- |=====|Nothing to do|already installed' >"$out/$name.actions" || true
  listing "$work/$name" >"$out/$name.answer"
  rm -rf "$work/$name"
}
mkdir -p "$out"
groups=${3:-"lwt57 cohttp5"}   # record.sh ROOT OUT [GROUPS]: only these bases and their cases
for g in $groups; do
  case $g in
  lwt57)
    base lwt57 ocaml-base-compiler.5.3.0 'lwt<5.8'
    case_ add-lwt-ppx lwt57 lwt_ppx                      # a lock, then a package added
    case_ lwt-up lwt57 'lwt>=5.8'                         # a constraint that forces a version change
    case_ flambda lwt57 ocaml-option-flambda              # ocaml-options-vanilla must be removed
    case_ csexp-down lwt57 'csexp<1.5'                    # a dependency forced older
    case_ already lwt57 lwt ;;                            # an atom the installed set meets
  cohttp5)
    base cohttp5 ocaml-base-compiler.5.3.0 'cohttp-lwt-unix<6'
    case_ cohttp-add-tls cohttp5 tls-lwt                  # a package sharing dependencies added
    case_ cohttp-up cohttp5 'cohttp-lwt-unix>=6'          # a group of packages moved together
    case_ compiler-up cohttp5 'ocaml-base-compiler>=5.4'  # the compiler moved: what no longer fits
    ;;
  esac
done
rm -rf "$work"
