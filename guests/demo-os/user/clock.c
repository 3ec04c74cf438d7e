/* Reads the date and time from the MC146818 CMOS real-time clock, directly through ports 0x70 (index)
 * and 0x71 (data): the kernel opened exactly those two ports to this program in the TSS I/O permission
 * bitmap, so IN/OUT work in ring 3 while any other port would raise #GP.
 *
 * The datasheet's rules for a consistent reading: while register A's UIP bit (update in progress) is set
 * the time registers may be mid-update, so wait for it to clear; and because an update can still begin
 * during our reads, read everything twice and accept only two identical readings. Register B says whether
 * the values are BCD (DM=0) or binary (DM=1) and whether hours are 12-hour (bit 7 = PM) or 24-hour. */
#include "ulib.h"
#include "../../lib/x86.h"

struct rtc_time {
    u32 sec, min, hour, day, mon, year, century;
};

static u8 cmos_read(u8 reg)
{
    outb(0x70, reg); /* bit 7 = 0 leaves NMI enabled */
    return inb(0x71);
}

static void read_raw(struct rtc_time *t)
{
    while (cmos_read(0x0A) & 0x80) /* UIP: an update is due or under way */
        ;
    t->sec = cmos_read(0x00);
    t->min = cmos_read(0x02);
    t->hour = cmos_read(0x04);
    t->day = cmos_read(0x07);
    t->mon = cmos_read(0x08);
    t->year = cmos_read(0x09);
    t->century = cmos_read(0x32); /* the IBM PC/AT century byte */
}

static u32 bcd(u32 v) { return (v >> 4) * 10 + (v & 0x0F); }

static void read_rtc(struct rtc_time *t)
{
    struct rtc_time again;
    read_raw(t);
    for (int tries = 0; tries < 10; tries++) {
        read_raw(&again);
        if (memcmp(t, &again, sizeof(again)) == 0)
            break;
        *t = again;
    }
    u8 regb = cmos_read(0x0B);
    bool pm = (t->hour & 0x80) != 0;
    t->hour &= 0x7F;
    if (!(regb & 0x04)) { /* DM = 0: BCD */
        t->sec = bcd(t->sec), t->min = bcd(t->min), t->hour = bcd(t->hour);
        t->day = bcd(t->day), t->mon = bcd(t->mon), t->year = bcd(t->year), t->century = bcd(t->century);
    }
    if (!(regb & 0x02)) /* 12-hour mode: 12 AM is 0 h, 12 PM is 12 h */
        t->hour = (t->hour % 12) + (pm ? 12 : 0);
    if (t->century < 19 || t->century > 99) /* no (sane) century byte */
        t->century = 20;
}

int main(const char *arg)
{
    const char *p = arg;
    u32 count = 1, interval = 100;
    if (*p) {
        count = parse_u32(p, &p);
        while (*p == ' ')
            p++;
        if (*p)
            interval = parse_u32(p, NULL);
    }
    for (u32 i = 0; i < count; i++) {
        struct rtc_time t;
        read_rtc(&t);
        u32 now = ticks();
        printf("clock: %02u%02u-%02u-%02u %02u:%02u:%02u (uptime %u.%02u s)\n", t.century, t.year, t.mon, t.day,
               t.hour, t.min, t.sec, now / 100, now % 100);
        if (i + 1 < count)
            sleep(interval);
    }
    return 0;
}
