/* Sizes and offsets of the 2.2 structures (docs/reference/firewall-api.md section 3), shared by the
 * C and C++ layout tests. STATIC_CHECK is _Static_assert or static_assert. */
#define LAYOUT_CHECKS(STATIC_CHECK)                                                        \
    STATIC_CHECK(sizeof(struct ip_fw) == 56, "ip_fw");                                     \
    STATIC_CHECK(offsetof(struct ip_fw, fw_src) == 0, "fw_src");                           \
    STATIC_CHECK(offsetof(struct ip_fw, fw_dst) == 4, "fw_dst");                           \
    STATIC_CHECK(offsetof(struct ip_fw, fw_smsk) == 8, "fw_smsk");                         \
    STATIC_CHECK(offsetof(struct ip_fw, fw_dmsk) == 12, "fw_dmsk");                        \
    STATIC_CHECK(offsetof(struct ip_fw, fw_mark) == 16, "fw_mark");                        \
    STATIC_CHECK(offsetof(struct ip_fw, fw_proto) == 20, "fw_proto");                      \
    STATIC_CHECK(offsetof(struct ip_fw, fw_flg) == 22, "fw_flg");                          \
    STATIC_CHECK(offsetof(struct ip_fw, fw_invflg) == 24, "fw_invflg");                    \
    STATIC_CHECK(offsetof(struct ip_fw, fw_spts) == 26, "fw_spts");                        \
    STATIC_CHECK(offsetof(struct ip_fw, fw_dpts) == 30, "fw_dpts");                        \
    STATIC_CHECK(offsetof(struct ip_fw, fw_redirpt) == 34, "fw_redirpt");                  \
    STATIC_CHECK(offsetof(struct ip_fw, fw_outputsize) == 36, "fw_outputsize");            \
    STATIC_CHECK(offsetof(struct ip_fw, fw_vianame) == 38, "fw_vianame");                  \
    STATIC_CHECK(offsetof(struct ip_fw, fw_tosand) == 54, "fw_tosand");                    \
    STATIC_CHECK(offsetof(struct ip_fw, fw_tosxor) == 55, "fw_tosxor");                    \
    STATIC_CHECK(sizeof(struct ip_fwuser) == 68, "ip_fwuser");                             \
    STATIC_CHECK(offsetof(struct ip_fwuser, label) == 56, "label");                        \
    STATIC_CHECK(sizeof(struct ip_fwchange) == 80, "ip_fwchange");                         \
    STATIC_CHECK(offsetof(struct ip_fwchange, fwc_label) == 68, "fwc_label");              \
    STATIC_CHECK(sizeof(struct ip_fwnew) == 84, "ip_fwnew");                               \
    STATIC_CHECK(offsetof(struct ip_fwnew, fwn_rule) == 4, "fwn_rule");                    \
    STATIC_CHECK(offsetof(struct ip_fwnew, fwn_label) == 72, "fwn_label");                 \
    STATIC_CHECK(sizeof(struct ip_fwdelnum) == 16, "ip_fwdelnum");                         \
    STATIC_CHECK(offsetof(struct ip_fwdelnum, fwd_label) == 4, "fwd_label");               \
    STATIC_CHECK(sizeof(struct ip_fwpolicy) == 18, "ip_fwpolicy");                         \
    STATIC_CHECK(offsetof(struct ip_fwpolicy, fwp_label) == 9, "fwp_label");               \
    STATIC_CHECK(sizeof(struct ip_fwpkt) == 60, "ip_fwpkt");                               \
    STATIC_CHECK(offsetof(struct ip_fwpkt, fwp_protoh) == 20, "fwp_protoh");               \
    STATIC_CHECK(offsetof(struct ip_fwpkt, fwp_via) == 40, "fwp_via");                     \
    STATIC_CHECK(offsetof(struct ip_fwpkt, fwp_vianame) == 44, "fwp_vianame");             \
    STATIC_CHECK(sizeof(struct ip_fwtest) == 72, "ip_fwtest");                             \
    STATIC_CHECK(offsetof(struct ip_fwtest, fwt_label) == 60, "fwt_label");                \
    STATIC_CHECK(sizeof(ip_chainlabel) == 9, "ip_chainlabel");                             \
    STATIC_CHECK(IP_FW_APPEND == 64 && IP_FW_REPLACE == 65 && IP_FW_DELETE_NUM == 66, "");  \
    STATIC_CHECK(IP_FW_DELETE == 67 && IP_FW_INSERT == 68 && IP_FW_FLUSH == 69, "");       \
    STATIC_CHECK(IP_FW_ZERO == 70 && IP_FW_CHECK == 71 && IP_FW_MASQ_TIMEOUTS == 72, "");  \
    STATIC_CHECK(IP_FW_CREATECHAIN == 73 && IP_FW_DELETECHAIN == 74, "");                  \
    STATIC_CHECK(IP_FW_POLICY == 75 && IP_FW_MASQ_CTL == 76, "");                          \
    STATIC_CHECK(IP_FW_F_MASK == 0x3F && IP_FW_F_WILDIF == 0x10, "");                      \
    STATIC_CHECK(IP_FW_INV_FRAG == 0x80 && IP_FW_MAX_LABEL_LENGTH == 8, "");               \
    STATIC_CHECK(IPPROTO_DIVERT == 254, "IPPROTO_DIVERT");                                 \
    STATIC_CHECK(IP_FW_CHECK_DIVERTED_ERRNO == EREMOTE, "diverted errno")
