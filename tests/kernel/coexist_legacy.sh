#!/bin/bash
# The legacy backend beside firewalld-like nft tables, docker-like iptables-nft chains and
# other legacy rules: our commands touch only our chains and our jump rules (coexist_lib.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/coexist_lib.sh"

coexist_run legacy
finish
