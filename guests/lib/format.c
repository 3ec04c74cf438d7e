/* The printf core. No floating point anywhere (the guests are built without x87/SSE). */
#include "format.h"

static int emit_padded(format_sink sink, void *ctx, const char *s, int len, int width, bool left, char pad)
{
    int n = 0;
    if (!left && pad == '0' && len > 0 && s[0] == '-') { /* "-0042": the sign goes before the zeros */
        sink('-', ctx), n++;
        s++, len--, width--;
    }
    if (!left)
        for (; width > len; width--)
            sink(pad, ctx), n++;
    for (int i = 0; i < len; i++)
        sink(s[i], ctx), n++;
    if (left)
        for (; width > len; width--)
            sink(' ', ctx), n++;
    return n;
}

int vformat(format_sink sink, void *ctx, const char *fmt, va_list ap)
{
    int n = 0;
    char buf[12];
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            sink(*fmt, ctx), n++;
            continue;
        }
        fmt++;
        bool left = false;
        char pad = ' ';
        for (; *fmt == '-' || *fmt == '0'; fmt++) {
            if (*fmt == '-')
                left = true;
            else
                pad = '0';
        }
        int width = 0;
        for (; *fmt >= '0' && *fmt <= '9'; fmt++)
            width = width * 10 + (*fmt - '0');
        while (*fmt == 'l')
            fmt++;
        if (left)
            pad = ' ';
        const char *s = buf;
        int len = 0;
        switch (*fmt) {
        case 'd':
        case 'i':
        case 'u':
        case 'x':
        case 'X':
        case 'p': {
            u32 v = va_arg(ap, u32);
            bool neg = (*fmt == 'd' || *fmt == 'i') && (i32)v < 0;
            u32 base = (*fmt == 'x' || *fmt == 'X' || *fmt == 'p') ? 16 : 10;
            const char *digits = *fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
            if (*fmt == 'p') {
                pad = '0';
                width = 8;
                left = false;
            }
            if (neg)
                v = -v;
            char *p = buf + sizeof(buf);
            do {
                *--p = digits[v % base];
                v /= base;
            } while (v);
            if (neg)
                *--p = '-';
            s = p;
            len = (int)(buf + sizeof(buf) - p);
            break;
        }
        case 's':
            s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            while (s[len])
                len++;
            pad = ' ';
            break;
        case 'c':
            buf[0] = (char)va_arg(ap, int);
            len = 1;
            break;
        case '%':
            buf[0] = '%';
            len = 1;
            break;
        case 0:
            return n;
        default: /* unknown conversion: print it literally */
            buf[0] = '%';
            buf[1] = *fmt;
            len = 2;
            break;
        }
        n += emit_padded(sink, ctx, s, len, width, left, pad);
    }
    return n;
}

struct bufsink {
    char *buf;
    size_t size, pos;
};

static void buf_put(char c, void *ctx)
{
    struct bufsink *b = ctx;
    if (b->pos + 1 < b->size)
        b->buf[b->pos] = c;
    b->pos++;
}

int vsnformat(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct bufsink b = { buf, size, 0 };
    int n = vformat(buf_put, &b, fmt, ap);
    if (size)
        buf[b.pos < size ? b.pos : size - 1] = 0;
    return n;
}

int snformat(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
