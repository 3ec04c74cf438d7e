/* The sieve of Eratosthenes: pure computation, the demo's CPU-bound process. Its table comes from sbrk,
 * whose fresh pages the kernel hands out zeroed, and goes back with a negative sbrk (the kernel unmaps the
 * pages and invalidates their TLB entries with INVLPG). */
#include "ulib.h"

int main(const char *arg)
{
    u32 n = *arg ? parse_u32(arg, NULL) : 100000;
    if (n < 2 || n > 16000000) {
        puts("sieve: N must be between 2 and 16000000");
        return 2;
    }
    u8 *composite = sbrk((i32)(n + 1));
    if ((i32)composite == -1) {
        printf("sieve: not enough memory for %u numbers\n", n);
        return 1;
    }
    for (u32 p = 2; p * p <= n; p++)
        if (!composite[p])
            for (u32 m = p * p; m <= n; m += p)
                composite[m] = 1;
    u32 count = 0, largest = 0;
    for (u32 k = 2; k <= n; k++)
        if (!composite[k])
            count++, largest = k;
    printf("sieve: %u primes up to %u (largest %u)\n", count, n, largest);
    sbrk(-(i32)(n + 1));
    return 0;
}
