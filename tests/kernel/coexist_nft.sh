#!/bin/bash
# The nft backend beside the same neighbours as coexist_legacy.sh: only `table ip ipchains`
# changes, nothing in legacy iptables appears.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/coexist_lib.sh"

coexist_run nft
finish
