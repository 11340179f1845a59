#!/usr/bin/env bash
# The release wudiag.exe starts under Wine, parses its command line, and its exit codes reach the caller.
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

wudiag version --version
expect_rc version 0
assert_eq "$(cat "$(out version)")" "wudiag $WUDIAG_VERSION" "wudiag.exe --version"

wudiag help --help
expect_rc help 0
for sub in analyze collect explain; do
    assert_contains "$(out help)" "$sub"
done

# A usage error is exit status 2 (clap's, and wudiag's "could not do its job"), with the reason on stderr.
wudiag bad-subcommand no-such-subcommand
expect_rc bad-subcommand 2
assert_contains "$(err bad-subcommand)" "no-such-subcommand"
[ ! -s "$(out bad-subcommand)" ] || t_fail "a usage error printed to stdout: $(cat "$(out bad-subcommand)")"
