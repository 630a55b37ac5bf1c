/*
 * Tee-to-pcap: writes every packet a divert socket receives to a pcap file (link type
 * LINKTYPE_RAW: IPv4 and IPv6 packets, told apart by the version nibble) and, with -w,
 * writes it back as read (for `divert` rules; `tee` rules need no write-back).
 *   teepcap [-w] -c count port file.pcap
 * Prints "ready" once bound and "captured <n>" at the end; exits 0 when count packets came
 * within 5 s each.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/select.h>
#include <sys/time.h>
#include <netinet/in.h>

#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINKTYPE_RAW 101

struct pcap_file_header {
	uint32_t magic;
	uint16_t version_major, version_minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_record {
	uint32_t sec, usec, caplen, len;
};

int
main(int argc, char *argv[])
{
	struct pcap_file_header fh = { 0xa1b2c3d4, 2, 4, 0, 0, 65535, LINKTYPE_RAW };
	static unsigned char pkt[65535];
	struct pcap_record rec;
	struct sockaddr_in sin;
	struct timeval tv;
	socklen_t sl;
	fd_set r;
	FILE *f;
	int s, ch, count = 1, writeback = 0, i;
	ssize_t n;

	while ((ch = getopt(argc, argv, "wc:")) != -1) {
		switch (ch) {
		case 'w': writeback = 1; break;
		case 'c': count = atoi(optarg); break;
		default: errx(2, "usage: teepcap [-w] -c count port file.pcap");
		}
	}
	if (optind + 2 != argc)
		errx(2, "usage: teepcap [-w] -c count port file.pcap");
	if ((f = fopen(argv[optind + 1], "wb")) == NULL)
		err(1, "%s", argv[optind + 1]);
	if (fwrite(&fh, sizeof(fh), 1, f) != 1)
		err(1, "write");
	if ((s = socket(PF_DIVERT, SOCK_RAW, 0)) < 0)
		err(1, "socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[optind]));
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		err(1, "bind");
	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < count; i++) {
		FD_ZERO(&r);
		FD_SET(s, &r);
		tv.tv_sec = 5;
		tv.tv_usec = 0;
		if (select(s + 1, &r, NULL, NULL, &tv) <= 0)
			break;
		sl = sizeof(sin);
		if ((n = recvfrom(s, pkt, sizeof(pkt), 0, (struct sockaddr *)&sin, &sl)) < 0)
			err(1, "recvfrom");
		gettimeofday(&tv, NULL);
		rec.sec = (uint32_t)tv.tv_sec;
		rec.usec = (uint32_t)tv.tv_usec;
		rec.caplen = rec.len = (uint32_t)n;
		if (fwrite(&rec, sizeof(rec), 1, f) != 1 || fwrite(pkt, (size_t)n, 1, f) != 1)
			err(1, "write");
		fflush(f);
		if (writeback && sendto(s, pkt, (size_t)n, 0, (struct sockaddr *)&sin, sl) != n)
			err(1, "sendto");
	}
	printf("captured %d\n", i);
	fclose(f);
	return (i == count ? 0 : 1);
}
