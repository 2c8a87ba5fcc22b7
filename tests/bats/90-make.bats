#!/usr/bin/env bats
# make install and make uninstall with PREFIX and DESTDIR, and the man
# pages: one per program, each clean under mandoc -Tlint.
#
# The programs are built into a private BUILD folder so that this file
# never races with the main build in build/.

load '../lib/common'

PROGRAMS=(buoy-fetch buoy-upsert buoy-publish buoy-sub buoy-sse)

setup_file() {
	export MAKE_BUILD=$BATS_FILE_TMPDIR/build
	make -C "$REPO_ROOT" -j2 BUILD="$MAKE_BUILD" all >"$BATS_FILE_TMPDIR/make.log" 2>&1 || true
}

teardown_file() {
	stop_services
}

# Runs make in the repository with the private build folder.
run_make() {
	run make -C "$REPO_ROOT" --no-print-directory BUILD="$MAKE_BUILD" "$@"
}

man_pages() {
	compgen -G "$REPO_ROOT/man/*.[17]" || true
}

@test "install puts programs in PREFIX/bin under DESTDIR" {
	local dest=$BATS_TEST_TMPDIR/root program

	run_make install PREFIX=/usr DESTDIR="$dest"
	echo "$output"
	[ "$status" -eq 0 ]
	for program in "${PROGRAMS[@]}"; do
		[ -x "$dest/usr/bin/$program" ]
		run "$dest/usr/bin/$program" --version
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "$program 0.1.0" ]
	done
	[ ! -e "$dest/usr/local" ]
}

@test "install copies man pages into their sections" {
	local dest=$BATS_TEST_TMPDIR/root page section count=0

	run_make install PREFIX=/usr DESTDIR="$dest"
	[ "$status" -eq 0 ]
	for page in $(man_pages); do
		section=${page##*.}
		cmp "$page" "$dest/usr/share/man/man$section/${page##*/}"
		count=$((count + 1))
	done
	[ "$count" -ge "${#PROGRAMS[@]}" ]
	[ "$(find "$dest/usr/share/man" -type f | wc -l)" -eq "$count" ]
}

@test "install writes systemd units with BINDIR filled in" {
	local dest=$BATS_TEST_TMPDIR/root unit installed count=0

	run_make install PREFIX=/usr DESTDIR="$dest"
	[ "$status" -eq 0 ]
	for unit in "$REPO_ROOT"/systemd/*.service "$REPO_ROOT"/systemd/*.timer; do
		[[ -e $unit ]] || continue
		installed=$dest/usr/lib/systemd/system/${unit##*/}
		[ -f "$installed" ]
		run grep -c '@BINDIR@\|@WEBDIR@' "$installed"
		[ "$output" = 0 ]
		if grep -q '^ExecStart=' "$unit"; then
			grep -q '^ExecStart=.*/usr/bin/buoy-' "$installed"
		fi
		count=$((count + 1))
	done
	[ "$(find "$dest/usr/lib/systemd/system" -type f | wc -l)" -eq "$count" ]
	grep -q 'buoy-sse --static /usr/share/buoy/web ' "$dest/usr/lib/systemd/system/buoy-stream.service"
	cmp "$REPO_ROOT/web/index.html" "$dest/usr/share/buoy/web/index.html"
}

@test "install defaults PREFIX to /usr/local" {
	local dest=$BATS_TEST_TMPDIR/root program

	run_make install DESTDIR="$dest"
	[ "$status" -eq 0 ]
	for program in "${PROGRAMS[@]}"; do
		[ -x "$dest/usr/local/bin/$program" ]
	done
	[ -f "$dest/usr/local/share/man/man1/buoy-fetch.1" ]
}

@test "uninstall removes every installed file" {
	local dest=$BATS_TEST_TMPDIR/root

	run_make install PREFIX=/usr DESTDIR="$dest"
	[ "$status" -eq 0 ]
	[ "$(find "$dest" -type f | wc -l)" -gt 0 ]

	run_make uninstall PREFIX=/usr DESTDIR="$dest"
	echo "$output"
	[ "$status" -eq 0 ]
	run find "$dest" -type f
	[ "$output" = "" ]
}

@test "every program has a man page" {
	local program missing=()

	for program in "${PROGRAMS[@]}"; do
		[[ -f $REPO_ROOT/man/$program.1 ]] || missing+=("$program")
	done
	echo "no man page for: ${missing[*]}"
	[ "${#missing[@]}" -eq 0 ]
}

@test "man pages pass mandoc lint" {
	local page count=0

	for page in $(man_pages); do
		run mandoc -Tlint -W warning "$page"
		echo "$output"
		[ "$status" -eq 0 ]
		[ "$output" = "" ]
		count=$((count + 1))
	done
	[ "$count" -gt 0 ]
}

@test "man page names match their files" {
	local page name section

	for page in $(man_pages); do
		name=${page##*/}
		section=${name##*.}
		name=${name%.*}
		grep -q "^\.Dt ${name^^} $section\$" "$page"
		grep -q "^\.Nm $name\$" "$page"
	done
}
