#!/usr/bin/env bash
# Proves callscript's TypeScript declarations with the real compiler:
#   - the tenant folder `callscript init` writes type-checks as written;
#   - good/ (every builder, hook, event field, dialog helper, fetch) type-checks;
#   - every worked example under examples/ with a tsconfig.json type-checks;
#   - every file of bad/ (one deliberate mistake each) fails to type-check.
# Exits non-zero if any of that does not hold.
#
# TypeScript is installed once into a cache folder, ${TSC_DIR:-~/.cache/callscript-tsc}.
# CALLSCRIPT may name a callscript command to use for `init` (default: go run ./cmd/callscript).
set -euo pipefail

TS_VERSION=7.0.2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
cache=${TSC_DIR:-${HOME:-/tmp}/.cache/callscript-tsc}
tsc_home=$cache/typescript-$TS_VERSION
tsc=$tsc_home/node_modules/.bin/tsc

# install puts typescript@TS_VERSION into the cache, atomically: a half-finished install (or
# one racing another run) never becomes the one used.
install() {
	mkdir -p "$cache"
	local tmp
	tmp=$(mktemp -d "$cache/.install.XXXXXX")
	echo "installing typescript@$TS_VERSION into $tsc_home" >&2
	if ! npm install --prefix "$tmp" --no-audit --no-fund --no-save --include=optional --loglevel=error \
		"typescript@$TS_VERSION" >&2; then
		rm -rf "$tmp"
		echo "run.sh: npm could not install typescript@$TS_VERSION" >&2
		exit 1
	fi
	mv -T "$tmp" "$tsc_home" 2>/dev/null || rm -rf "$tmp" # another run finished first: keep its copy
}

if ! "$tsc" --version 2>/dev/null | grep -q "$TS_VERSION"; then
	rm -rf "$tsc_home"
	install
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

# check NAME DIR [TSCONFIG]: type-checks a project, keeping the compiler's output in $work/NAME.out.
check() {
	local name=$1 dir=$2 config=${3:-tsconfig.json}
	(cd "$dir" && "$tsc" --noEmit --pretty false -p "$config") >"$work/$name.out" 2>&1
}

# 1. The tenant folder `callscript init` writes.
tenant=typecheck_tenant
if [[ -n "${CALLSCRIPT:-}" ]]; then
	$CALLSCRIPT init --scripts "$work/scripts" "$tenant" >/dev/null
else
	(cd "$repo" && go run ./cmd/callscript init --scripts "$work/scripts" "$tenant") >/dev/null
fi
folder=$work/scripts/$tenant
config=tsconfig.json
if [[ ! -f "$folder/types/test.d.ts" ]]; then
	# The declarations of "callscript/test" do not ship yet: check everything but the tests.
	echo 'note: types/test.d.ts is not shipped yet; the template is checked without index.test.ts' >&2
	printf '{ "extends": "./tsconfig.json", "exclude": ["**/*.test.ts"] }\n' >"$folder/tsconfig.check.json"
	config=tsconfig.check.json
fi
if check template "$folder" "$config"; then
	echo "ok   the init template type-checks"
else
	echo "FAIL the init template does not type-check:"
	sed 's/^/     /' "$work/template.out"
	failed=1
fi

# 2. good/ must pass.
if check good "$here/good"; then
	echo "ok   good/ type-checks"
else
	echo "FAIL good/ does not type-check:"
	sed 's/^/     /' "$work/good.out"
	failed=1
fi

# 2b. Every worked example with a tsconfig.json must pass.
for example in "$here"/../../../examples/*/tsconfig.json; do
	[[ -e $example ]] || continue
	dir=$(dirname "$example")
	name=examples-$(basename "$dir")
	if check "$name" "$dir"; then
		echo "ok   examples/$(basename "$dir") type-checks"
	else
		echo "FAIL examples/$(basename "$dir") does not type-check:"
		sed 's/^/     /' "$work/$name.out"
		failed=1
	fi
done

# 3. bad/ must fail, in every file: each holds one mistake the declarations must catch.
if check bad "$here/bad"; then
	echo "FAIL bad/ type-checks, but each of its files holds a mistake"
	failed=1
else
	for file in "$here"/bad/*.ts; do
		name=$(basename "$file")
		if grep -q "^$name(" "$work/bad.out"; then
			echo "ok   bad/$name is refused: $(grep -m1 "^$name(" "$work/bad.out" | sed 's/^[^:]*: //')"
		else
			echo "FAIL bad/$name type-checks, but it holds a mistake: $(sed -n 2p "$file")"
			failed=1
		fi
	done
fi

if [[ $failed -ne 0 ]]; then
	echo "typecheck: FAIL (typescript $TS_VERSION)"
	exit 1
fi
echo "typecheck: ok (typescript $TS_VERSION)"
